/**
 * A loopback HTTP(S) server for client tests: routes requests to a handler,
 * records what it received (method, URL, headers, body), counts TCP
 * connections and notices when a client closes a request early.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  /** Headers as sent, repeated names included. */
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: string
}

export type Handler = (request: Received, response: Http.ServerResponse, raw: Http.IncomingMessage) => void

export interface TestServer {
  readonly url: string
  readonly received: Array<Received>
  /** TCP (or TLS) connections accepted so far. */
  readonly connections: () => number
  /** Requests whose client went away before the response ended. */
  readonly abandoned: () => number
  readonly close: () => Promise<void>
}

export interface TlsOptions {
  readonly key: string
  readonly cert: string
  readonly ca?: string
  readonly requestCert?: boolean
}

/** Starts a server on 127.0.0.1 and a free port. */
export const startServer = (handler: Handler, tls?: TlsOptions): Promise<TestServer> =>
  new Promise((resolve) => {
    const received: Array<Received> = []
    let connections = 0
    let abandoned = 0
    const listener = (raw: Http.IncomingMessage, response: Http.ServerResponse) => {
      const chunks: Array<Buffer> = []
      raw.on("data", (chunk: Buffer) => chunks.push(chunk))
      raw.on("end", () => {
        const request: Received = {
          method: raw.method ?? "",
          url: raw.url ?? "",
          headers: raw.headers,
          rawHeaders: raw.rawHeaders,
          body: Buffer.concat(chunks).toString("utf8")
        }
        received.push(request)
        response.on("close", () => {
          if (!response.writableFinished) abandoned++
        })
        handler(request, response, raw)
      })
    }
    const server =
      tls === undefined
        ? Http.createServer(listener)
        : Https.createServer(
            {
              key: tls.key,
              cert: tls.cert,
              ...(tls.ca === undefined ? {} : { ca: tls.ca }),
              requestCert: tls.requestCert ?? false,
              rejectUnauthorized: tls.requestCert ?? false
            },
            listener
          )
    server.on(tls === undefined ? "connection" : "secureConnection", () => {
      connections++
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
        received,
        connections: () => connections,
        abandoned: () => abandoned,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

/** Answers with JSON. */
export const json = (
  response: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) => {
  response.writeHead(status, { "content-type": "application/json", ...headers })
  response.end(JSON.stringify(body))
}

/** A Status body as the API server sends it. */
export const status = (code: number, reason: string, message: string, details: Record<string, unknown> = {}) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message,
  reason,
  details,
  code
})
