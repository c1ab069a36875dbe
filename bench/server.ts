/**
 * The loopback API server the side-by-side bench talks to, run in its own
 * process (`child_process.fork`) so serving costs no CPU time in the process
 * being measured. It generates the data once, then serves the pre-built
 * bytes:
 *
 * - `GET /api/v1/pods`: the PodList of `pods` pods (10k, ~65 MB);
 * - `GET /api/v1/pods?watch=…`: a watch that sends nothing and stays open
 *   (what an informer opens after its list, for the heap measurement);
 * - `GET /api/v1/namespaces/watch/pods?watch=…`: an NDJSON watch of
 *   `events` events (MODIFIED, with ADDED/DELETED and a BOOKMARK every 1000
 *   events), then the end of the body;
 * - `GET /api/v1/namespaces/small/pods`: a list of three pods, for counting
 *   connections.
 *
 * It tells its parent over IPC `{ ready, port, listBytes, watchBytes }`, and
 * answers the messages `"window"` (start counting) and `"sockets"` (how many
 * distinct TCP connections served requests since the window opened, and how
 * many were opened).
 */
import { createServer, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { podListJson, watchEventsNdjson } from "./podList.js"

const pods = Number(process.argv[2] ?? 10_000)
const events = Number(process.argv[3] ?? 20_000)

const list = Buffer.from(podListJson(pods))
const small = Buffer.from(podListJson(3))
const watch = Buffer.from(watchEventsNdjson(events))

let windowSockets = new Set<Socket>()
let opened = 0

const sendJson = (response: ServerResponse, body: Buffer) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
  response.end(body)
}

/** Streams `body` in 64 KiB writes, waiting for the socket to drain as a real server would. */
const streamWatch = (response: ServerResponse, body: Buffer) => {
  response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" })
  let offset = 0
  const pump = () => {
    while (offset < body.length) {
      const end = Math.min(offset + 65_536, body.length)
      const more = response.write(body.subarray(offset, end))
      offset = end
      if (!more) {
        response.once("drain", pump)
        return
      }
    }
    response.end()
  }
  pump()
}

const server = createServer((request, response) => {
  windowSockets.add(request.socket)
  const url = new URL(request.url ?? "/", "http://localhost")
  const watching = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1"
  if (url.pathname === "/api/v1/pods" && !watching) return sendJson(response, list)
  if (url.pathname === "/api/v1/pods" && watching) {
    response.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" })
    response.flushHeaders()
    return
  }
  if (url.pathname === "/api/v1/namespaces/watch/pods" && watching) return streamWatch(response, watch)
  if (url.pathname === "/api/v1/namespaces/small/pods" && !watching) return sendJson(response, small)
  response.writeHead(404, { "content-type": "application/json" })
  response.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }))
})
server.keepAliveTimeout = 30_000
server.on("connection", () => {
  opened++
})

process.on("message", (message) => {
  if (message === "window") {
    windowSockets = new Set()
    opened = 0
    process.send?.({ window: true })
  } else if (message === "sockets") {
    process.send?.({ sockets: windowSockets.size, opened })
  }
})
process.on("disconnect", () => process.exit(0))

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  process.send?.({ ready: true, port, listBytes: list.length, watchBytes: watch.length })
})
