/**
 * Runs one contender's list or watch a few times against the loopback
 * server, for a CPU profile of just that path:
 *
 *   node --cpu-prof --cpu-prof-dir=bench/out --import tsx bench/profile.ts <list|watch> [effect-kube|client-node|fetch] [runs=3]
 *
 * then `node bench/top-functions.mjs bench/out/<file>.cpuprofile` prints
 * where the time went. The server runs in its own process, so its work is
 * not in the profile.
 */
import { fork } from "node:child_process"
import { clientNode, effectKube, plainFetch } from "./contenders.js"

const [path = "list", name = "effect-kube", runsArgument = "3"] = process.argv.slice(2)
const root = new URL("..", import.meta.url).pathname
const serverProcess = fork(`${root}bench/server.ts`, ["10000", "20000"], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"]
})
const port = await new Promise<number>((resolve) =>
  serverProcess.on("message", (message: unknown) => {
    if (typeof message === "object" && message !== null && "port" in message) resolve(Number(message.port))
  })
)
const server = `http://127.0.0.1:${port}`
const contender =
  name === "client-node" ? clientNode(server) : name === "fetch" ? plainFetch(server) : effectKube(server)
for (let run = 0; run < Number(runsArgument); run++) {
  const start = performance.now()
  const count = await (path === "watch" ? contender.watch() : contender.list())
  process.stderr.write(`${contender.name} ${path}: ${count} in ${(performance.now() - start).toFixed(0)} ms\n`)
}
await contender.close()
serverProcess.disconnect()
