/**
 * Throwaway certificates made with the `openssl` command (Node's crypto can
 * make keys but not X.509 certificates): a certificate authority and the
 * leaf certificates it signs. `FakeKube.serve({ tls: true })` uses a serving
 * certificate for 127.0.0.1 and localhost; the project's tests also issue
 * client certificates with it.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A certificate to issue: its subject (`/CN=…/O=…`) and its openssl extensions (one per line). */
export interface LeafRequest {
  readonly subject: string
  readonly extensions: string
}

/** A key and its certificate, PEM. */
export interface KeyPair {
  readonly key: string
  readonly certificate: string
}

/** A serving certificate for 127.0.0.1 and localhost. */
export const servingLeaf: LeafRequest = {
  subject: "/CN=localhost",
  extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost"
}

/**
 * Makes a certificate authority named `authority` and the leaves it signs
 * (EC P-256, valid for one day). Throws when openssl is missing or fails.
 */
export const issue = (
  authority: string,
  leaves: ReadonlyArray<LeafRequest>
): { readonly certificateAuthority: string; readonly leaves: ReadonlyArray<KeyPair> } => {
  const directory = mkdtempSync(join(tmpdir(), "effect-kube-tls-"))
  const openssl = (...args: Array<string>) =>
    execFileSync("openssl", args, { cwd: directory, stdio: ["ignore", "ignore", "pipe"] })
  const read = (file: string) => readFileSync(join(directory, file), "utf8")
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
  try {
    openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", `/CN=${authority}`)
    const issued = leaves.map((leaf, index) => {
      const name = `leaf-${index}`
      openssl("req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", leaf.subject)
      writeFileSync(join(directory, `${name}.ext`), `${leaf.extensions}\n`)
      openssl(
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
      return { key: read(`${name}.key`), certificate: read(`${name}.crt`) }
    })
    return { certificateAuthority: read("ca.crt"), leaves: issued }
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}

/** The CA certificate and the server's key and certificate, PEM. */
export interface ServingCertificates extends KeyPair {
  readonly certificateAuthority: string
}

/** A fresh CA and a serving certificate for 127.0.0.1 and localhost. */
export const generate = (): ServingCertificates => {
  const { certificateAuthority, leaves } = issue("fakekube-ca", [servingLeaf])
  const [server] = leaves
  if (server === undefined) throw new Error("openssl issued no serving certificate")
  return { certificateAuthority, ...server }
}
