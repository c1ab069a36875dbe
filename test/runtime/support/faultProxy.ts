/**
 * A fault-injecting loopback HTTP proxy for the watcher's no-lost-events
 * test. It forwards requests to an upstream API server and, driven by a
 * seeded random generator, breaks them the ways real networks and servers
 * do:
 *
 * - a watch is cut after a random number of body bytes (often mid-line),
 *   answered with HTTP 410, answered with an in-stream ERROR 410 event, or
 *   stalled (headers sent, then silence until the client gives up);
 * - a list is answered with 500, or 429 with `Retry-After`.
 *
 * Every kind strikes once before the random draws start, so a slow run that
 * makes few requests still meets all of them. `calm()` turns the faults
 * off, for the "once quiet" end of a test.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export type Fault = "cut" | "gone" | "goneEvent" | "stall" | "listError" | "listThrottled"

export interface FaultProxy {
  readonly url: string
  readonly faults: Record<Fault, number>
  readonly calm: () => void
  readonly close: () => Promise<void>
}

/** A small seeded generator (mulberry32): the same seed gives the same faults. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

const expiredStatus = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "too old resource version: 1 (2)",
  reason: "Expired",
  code: 410
}

export const startFaultProxy = (upstream: string, random: () => number): Promise<FaultProxy> => {
  const faults: Record<Fault, number> = { cut: 0, gone: 0, goneEvent: 0, stall: 0, listError: 0, listThrottled: 0 }
  let calm = false
  const pendingWatchFaults: Array<Fault> = ["cut", "gone", "goneEvent", "stall"]
  const pendingListFaults: Array<Fault> = ["listError", "listThrottled"]
  const open = new Set<http.ServerResponse>()

  const forward = (request: http.IncomingMessage, response: http.ServerResponse, cutAfter: number | undefined) => {
    const outgoing = http.request(
      new URL(request.url ?? "/", upstream),
      { method: request.method, headers: request.headers },
      (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, incoming.headers)
        let sent = 0
        incoming.on("data", (chunk: Buffer) => {
          if (cutAfter !== undefined && sent + chunk.length > cutAfter) {
            response.write(chunk.subarray(0, cutAfter - sent))
            faults.cut += 1
            incoming.destroy()
            response.socket?.destroy()
            return
          }
          sent += chunk.length
          response.write(chunk)
        })
        incoming.on("end", () => response.end())
        incoming.on("error", () => response.socket?.destroy())
      }
    )
    outgoing.on("error", () => response.socket?.destroy())
    response.on("close", () => outgoing.destroy())
    request.pipe(outgoing)
  }

  const server = http.createServer((request, response) => {
    open.add(response)
    response.on("close", () => open.delete(response))
    const url = new URL(request.url ?? "/", upstream)
    const isWatch = url.searchParams.get("watch") === "true"
    if (!calm && isWatch) {
      // Each kind of fault strikes once first, so a run that makes few watch
      // requests (a slow machine) still meets all of them; then they are random.
      const roll = random()
      const first = pendingWatchFaults.shift()
      const fault =
        first ??
        (roll < 0.3 ? "cut" : roll < 0.38 ? "gone" : roll < 0.46 ? "goneEvent" : roll < 0.5 ? "stall" : undefined)
      switch (fault) {
        case "cut":
          // The first cut comes within the first line, so it happens even on a quiet watch.
          return forward(request, response, Math.floor(random() * (first === undefined ? 4000 : 100)))
        case "gone":
          faults.gone += 1
          response.writeHead(410, { "content-type": "application/json" })
          return response.end(JSON.stringify(expiredStatus))
        case "goneEvent":
          faults.goneEvent += 1
          response.writeHead(200, { "content-type": "application/json" })
          return response.end(`${JSON.stringify({ type: "ERROR", object: expiredStatus })}\n`)
        case "stall":
          faults.stall += 1
          response.writeHead(200, { "content-type": "application/json" })
          response.flushHeaders()
          return
      }
    } else if (!calm && request.method === "GET") {
      const roll = random()
      const fault = pendingListFaults.shift() ?? (roll < 0.25 ? "listError" : roll < 0.45 ? "listThrottled" : undefined)
      if (fault === "listError") {
        faults.listError += 1
        response.writeHead(500, { "content-type": "application/json" })
        return response.end(JSON.stringify({ ...expiredStatus, reason: "InternalError", code: 500, message: "boom" }))
      }
      if (fault === "listThrottled") {
        faults.listThrottled += 1
        response.writeHead(429, { "content-type": "application/json", "retry-after": "1" })
        return response.end(
          JSON.stringify({ ...expiredStatus, reason: "TooManyRequests", code: 429, message: "slow down" })
        )
      }
    }
    forward(request, response, undefined)
  })

  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        faults,
        calm: () => {
          calm = true
        },
        close: () =>
          new Promise<void>((done) => {
            for (const response of open) response.socket?.destroy()
            server.close(() => done())
          })
      })
    })
  })
}
