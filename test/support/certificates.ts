/**
 * Test certificates made with openssl at test time: a CA, a server
 * certificate for 127.0.0.1/localhost signed by it, a client certificate
 * signed by it, and a second, unrelated CA (to show a wrong CA fails).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface TestCertificates {
  readonly ca: string
  readonly otherCa: string
  readonly serverCertificate: string
  readonly serverKey: string
  readonly clientCertificate: string
  readonly clientKey: string
}

const openssl = (directory: string, ...args: Array<string>) =>
  execFileSync("openssl", args, { cwd: directory, stdio: ["ignore", "ignore", "pipe"] })

/** Generates a fresh set of certificates (EC P-256, valid for a day). */
export const makeCertificates = (): TestCertificates => {
  const directory = mkdtempSync(join(tmpdir(), "effect-kube-certs-"))
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(
      directory,
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      "/CN=test-ca"
    )
    openssl(
      directory,
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "other.key",
      "-out",
      "other.crt",
      "-days",
      "1",
      "-subj",
      "/CN=other-ca"
    )
    const sign = (name: string, subject: string, extensions: string) => {
      openssl(directory, "req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject)
      execFileSync("sh", ["-c", `printf '%s\\n' "${extensions}" > ${name}.ext`], { cwd: directory })
      openssl(
        directory,
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "1",
        "-extfile",
        `${name}.ext`
      )
    }
    sign("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost")
    sign("client", "/CN=test-user/O=testers", "extendedKeyUsage=clientAuth")
    const read = (file: string) => readFileSync(join(directory, file), "utf8")
    return {
      ca: read("ca.crt"),
      otherCa: read("other.crt"),
      serverCertificate: read("server.crt"),
      serverKey: read("server.key"),
      clientCertificate: read("client.crt"),
      clientKey: read("client.key")
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
