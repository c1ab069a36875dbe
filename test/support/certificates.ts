/**
 * Test certificates made with openssl at test time: a CA, a server
 * certificate for 127.0.0.1/localhost signed by it, a client certificate
 * signed by it, and a second, unrelated CA (to show a wrong CA fails).
 */
import { issue, servingLeaf } from "../../src/testing/internal/certificates.js"

export interface TestCertificates {
  readonly ca: string
  readonly otherCa: string
  readonly serverCertificate: string
  readonly serverKey: string
  readonly clientCertificate: string
  readonly clientKey: string
}

/** Generates a fresh set of certificates (EC P-256, valid for a day). */
export const makeCertificates = (): TestCertificates => {
  const trusted = issue("test-ca", [
    servingLeaf,
    { subject: "/CN=test-user/O=testers", extensions: "extendedKeyUsage=clientAuth" }
  ])
  const [server, client] = trusted.leaves
  if (server === undefined || client === undefined) throw new Error("openssl issued too few certificates")
  return {
    ca: trusted.certificateAuthority,
    otherCa: issue("other-ca", []).certificateAuthority,
    serverCertificate: server.certificate,
    serverKey: server.key,
    clientCertificate: client.certificate,
    clientKey: client.key
  }
}
