/**
 * The two ways requests reach FakeKube's handler: a loopback `node:http(s)`
 * server, and web-standard `Request`/`Response` values (used in process by
 * the `HttpClient` of `FakeKube.layer`, and offered to fetch-style hosts).
 *
 * Watches stream. A client that does not read its watch fast enough is cut
 * off once `maxBufferedWatchBytes` are waiting for it (the real server
 * likewise closes watchers it cannot keep up with); it then re-watches from
 * its last resourceVersion, so memory stays bounded however slow it is.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import type { AddressInfo } from "node:net"
import { maxBufferedWatchBytes, type ServerRequest, type ServerResponse } from "./http.js"
import type { Server } from "./server.js"

const encoder = new TextEncoder()

/** Turns a handler response into a web `Response`; a watch stops when the body is cancelled or `signal` aborts. */
export const toWebResponse = (response: ServerResponse, signal?: AbortSignal): Response => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === "string") headers.set(name, value)
    else for (const item of value) headers.append(name, item)
  }
  if (response._tag === "Complete") return new Response(response.body, { status: response.status, headers })
  headers.delete("transfer-encoding")
  let stop: (() => void) | undefined
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true
        const close = () => {
          if (!open) return
          open = false
          stop?.()
          signal?.removeEventListener("abort", close)
          try {
            controller.close()
          } catch {
            // already closed or errored by the consumer
          }
        }
        stop = response.start({
          write: (chunk) => {
            if (!open) return
            controller.enqueue(encoder.encode(chunk))
            if ((controller.desiredSize ?? 0) < -maxBufferedWatchBytes) close()
          },
          end: close
        })
        if (!open) stop()
        signal?.addEventListener("abort", close, { once: true })
      },
      cancel() {
        stop?.()
      }
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength }
  )
  return new Response(body, { status: response.status, headers })
}

/** Builds the handler's request from a web `Request`. */
export const fromWebRequest = async (request: Request): Promise<ServerRequest> => {
  const url = new URL(request.url)
  const body = request.body === null ? "" : await request.text()
  return {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    header: (name) => request.headers.get(name) ?? undefined,
    body
  }
}

/** A running loopback server. */
export interface Listening {
  readonly url: string
  readonly close: () => Promise<void>
}

/** Serves the handler on 127.0.0.1 (HTTPS when a key and certificate are given). */
export const listen = (
  server: Server,
  port: number,
  tls: { readonly key: string; readonly cert: string } | undefined
): Promise<Listening> =>
  new Promise((resolve, reject) => {
    const listener = (incoming: Http.IncomingMessage, outgoing: Http.ServerResponse) => {
      const chunks: Array<Buffer> = []
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("end", () => {
        const url = new URL(incoming.url ?? "/", "http://127.0.0.1")
        const response = server.handle({
          method: incoming.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          header: (name) => {
            const value = incoming.headers[name]
            return Array.isArray(value) ? value.join(", ") : value
          },
          body: Buffer.concat(chunks).toString("utf8")
        })
        if (response._tag === "Complete") {
          outgoing.writeHead(response.status, {
            ...response.headers,
            "content-length": Buffer.byteLength(response.body)
          })
          outgoing.end(response.body)
          return
        }
        outgoing.writeHead(response.status, response.headers)
        outgoing.flushHeaders()
        let open = true
        const stop = response.start({
          write: (chunk) => {
            if (!open) return
            outgoing.write(chunk)
            if (outgoing.writableLength > maxBufferedWatchBytes) {
              open = false
              stop()
              outgoing.destroy()
            }
          },
          end: () => {
            if (!open) return
            open = false
            outgoing.end()
          }
        })
        outgoing.on("close", () => {
          if (!open) return
          open = false
          stop()
        })
      })
    }
    const http =
      tls === undefined ? Http.createServer(listener) : Https.createServer({ key: tls.key, cert: tls.cert }, listener)
    http.keepAliveTimeout = 30_000
    http.once("error", reject)
    http.listen(port, "127.0.0.1", () => {
      const address = http.address()
      const bound = typeof address === "object" && address !== null ? (address satisfies AddressInfo).port : port
      resolve({
        url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${bound}`,
        close: () =>
          new Promise((done) => {
            http.closeAllConnections()
            http.close(() => done())
          })
      })
    })
  })
