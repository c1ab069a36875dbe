/**
 * effect-kube side by side with @kubernetes/client-node and plain
 * `fetch` + `JSON.parse` (issue 9), in one run:
 *
 *   npm run bench              # 5 rounds, ~2.5 minutes on 2 cores
 *   npm run bench -- --quick   # 2 rounds, a smoke run (under a minute)
 *   npm run bench -- --no-gc   # no full collection before each timed list and watch
 *
 * A loopback API server in its own process (`server.ts`) serves a
 * pre-generated PodList of 10k realistic pods (~65 MB) and a watch of 20k
 * events (~135 MB, bookmarks included). Measured, with the contenders
 * interleaved round by round (rotating who goes first) so a noisy machine
 * hits them alike:
 *
 * - list 10k pods end to end, decoded (ms);
 * - watch throughput, every event decoded (events/s);
 * - bundle bytes and gzip bytes of a minimal list-pods handler (esbuild,
 *   minified ESM), and a baseline of effect alone doing one `Schema.Struct`
 *   decode;
 * - cold import: `node bundle.mjs` against `node empty.mjs`, interleaved;
 * - heap per cached pod after full collections, one process per
 *   measurement (`heap.ts`);
 * - TCP connections used by 5 sequential calls (counted by the server).
 *
 * Prints medians with min–max and the ratios the goals are stated in, as a
 * Markdown table (also written to bench/out/latest.md). Every figure that
 * matters is a ratio against a peer measured in the same run: absolute
 * times depend on the machine.
 */
import { type ChildProcess, execFileSync, fork, spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"
import { isRecord } from "../src/testing/internal/json.js"
import { type Contender, clientNode, effectKube, plainFetch } from "./contenders.js"
import { median, range } from "./statistics.js"

const quick = process.argv.includes("--quick")
const rounds = quick ? 2 : 5
const coldRuns = quick ? 8 : 20
const heapRuns = quick ? 1 : 3
const pods = 10_000
const events = 20_000
const root = new URL("..", import.meta.url).pathname
const out = `${root}bench/out`
mkdirSync(out, { recursive: true })

const log = (line: string) => process.stderr.write(`${line}\n`)

const figure = (samples: ReadonlyArray<number>, digits: number): string =>
  `${median(samples).toFixed(digits)} (${range(samples, digits)})`

const collectBeforeEachCall = !process.argv.includes("--no-gc")
const collect = () => (collectBeforeEachCall ? globalThis.gc?.() : undefined)

// --- the loopback server --------------------------------------------------

interface Ready {
  readonly port: number
  readonly listBytes: number
  readonly watchBytes: number
}

const nextMessage = (child: ChildProcess, key: string): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isRecord(message) || !(key in message)) return
      child.off("message", onMessage)
      child.off("exit", onExit)
      resolve(message)
    }
    const onExit = (code: number | null) => reject(new Error(`the server exited with ${code}`))
    child.on("message", onMessage)
    child.on("exit", onExit)
  })

log(`generating ${pods} pods and ${events} watch events in the server process…`)
const serverProcess = fork(`${root}bench/server.ts`, [String(pods), String(events)], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"]
})
const readyMessage = await nextMessage(serverProcess, "ready")
const ready: Ready = {
  port: Number(readyMessage.port),
  listBytes: Number(readyMessage.listBytes),
  watchBytes: Number(readyMessage.watchBytes)
}
const server = `http://127.0.0.1:${ready.port}`
log(
  `server at ${server}: list ${(ready.listBytes / 1e6).toFixed(1)} MB, watch ${(ready.watchBytes / 1e6).toFixed(1)} MB`
)

// --- list and watch, interleaved --------------------------------------------

const contenders: ReadonlyArray<Contender> = [effectKube(server), clientNode(server), plainFetch(server)]
const [ours, peer, floor] = contenders
if (ours === undefined || peer === undefined || floor === undefined) throw new Error("three contenders")

const timed = async (run: () => Promise<number>, expected: number, what: string): Promise<number> => {
  collect()
  const start = performance.now()
  const count = await run()
  const elapsed = performance.now() - start
  if (count !== expected) throw new Error(`${what}: got ${count}, expected ${expected}`)
  return elapsed
}

const listTimes = new Map<string, Array<number>>(contenders.map((contender) => [contender.name, []]))
const textTimes = new Map<string, Array<number>>(contenders.map((contender) => [contender.name, []]))
const watchRates = new Map<string, Array<number>>(contenders.map((contender) => [contender.name, []]))

// The bounds, measured in the same rounds without any transport, in a
// process of their own (see bounds.ts).
const parseAlone: Array<number> = []
const decodeAlone: Array<number> = []
const linesParsedAlone: Array<number> = []
const linesDecodedAlone: Array<number> = []
const measureAlone = () => {
  const output = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", `${root}bench/bounds.ts`, server, String(pods), String(events)],
    { cwd: root, encoding: "utf8" }
  )
  const parsed: unknown = JSON.parse(output.trim().split("\n").pop() ?? "")
  if (
    !isRecord(parsed) ||
    typeof parsed.parse !== "number" ||
    typeof parsed.decode !== "number" ||
    typeof parsed.linesParsed !== "number" ||
    typeof parsed.linesDecoded !== "number"
  )
    throw new Error(`bounds: ${output}`)
  parseAlone.push(parsed.parse)
  decodeAlone.push(parsed.decode)
  linesParsedAlone.push(parsed.linesParsed)
  linesDecodedAlone.push(parsed.linesDecoded)
}

// One untimed round so every contender runs warmed-up code.
for (const contender of contenders) {
  await contender.list()
  await contender.watch()
}
for (let round = 0; round < rounds; round++) {
  const order = contenders.map((_, index) => contenders[(index + round) % contenders.length] ?? ours)
  for (const contender of order) {
    listTimes.get(contender.name)?.push(await timed(contender.list, pods, `${contender.name} list`))
    const listText = contender.listText
    if (listText !== undefined)
      textTimes.get(contender.name)?.push(await timed(listText, ready.listBytes, `${contender.name} list text`))
  }
  for (const contender of order) {
    const elapsed = await timed(contender.watch, events, `${contender.name} watch`)
    watchRates.get(contender.name)?.push(events / (elapsed / 1000))
  }
  measureAlone()
  log(`round ${round + 1}/${rounds} done`)
}

// --- connections for 5 sequential calls --------------------------------------

const connections = new Map<string, { sockets: number; opened: number }>()
for (const contender of contenders) {
  // A fresh contender: no connection left over from the runs above.
  const fresh =
    contender.name === ours.name
      ? effectKube(server)
      : contender.name === peer.name
        ? clientNode(server)
        : plainFetch(server)
  await fresh.small()
  serverProcess.send("window")
  await nextMessage(serverProcess, "window")
  for (let call = 0; call < 5; call++) await fresh.small()
  serverProcess.send("sockets")
  const counted = await nextMessage(serverProcess, "sockets")
  connections.set(contender.name, { sockets: Number(counted.sockets), opened: Number(counted.opened) })
  await fresh.close()
}
for (const contender of contenders) await contender.close()

// --- heap per cached pod, one process each -----------------------------------

const heapContenders = ["effect-kube", "effect-kube-pruned", "client-node", "json-parse", "decoded-list"] as const
const heap = new Map<string, Array<number>>(heapContenders.map((name) => [name, []]))
for (let run = 0; run < heapRuns; run++) {
  for (const name of heapContenders) {
    const output = execFileSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", `${root}bench/heap.ts`, name, server, String(pods)],
      { cwd: root, encoding: "utf8" }
    )
    const parsed: unknown = JSON.parse(output.trim().split("\n").pop() ?? "")
    if (!isRecord(parsed) || typeof parsed.bytesPerPod !== "number") throw new Error(`heap ${name}: ${output}`)
    heap.get(name)?.push(parsed.bytesPerPod / 1024)
  }
  log(`heap run ${run + 1}/${heapRuns} done`)
}
serverProcess.disconnect()

// --- bundles and cold import ---------------------------------------------------

interface Bundle {
  readonly name: string
  readonly source: string
}

const bundles: ReadonlyArray<Bundle> = [
  {
    name: "effect-kube",
    source: `
      import { Effect, Redacted } from "effect"
      import { Pod } from "./src/api/core/v1.ts"
      import { Api, KubeFetch } from "./src/fetch.ts"
      export const handler = (server, token, namespace) =>
        Effect.runPromise(
          Effect.flatMap(Api.namespaced(Pod, namespace), (pods) => pods.list()).pipe(
            Effect.provide(KubeFetch.layer({ server, token: Redacted.make(token) }))
          )
        )`
  },
  {
    name: "client-node",
    source: `
      import { CoreV1Api, KubeConfig } from "@kubernetes/client-node"
      export const handler = (server, token, namespace) => {
        const config = new KubeConfig()
        config.loadFromOptions({
          clusters: [{ name: "c", server }],
          users: [{ name: "u", token }],
          contexts: [{ name: "x", cluster: "c", user: "u" }],
          currentContext: "x"
        })
        return config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })
      }`
  },
  {
    name: "fetch + JSON.parse",
    source: `
      export const handler = async (server, token, namespace) =>
        JSON.parse(await (await fetch(server + "/api/v1/namespaces/" + namespace + "/pods", {
          headers: { authorization: "Bearer " + token }
        })).text())`
  },
  {
    name: "baseline: effect, one Schema.Struct decode",
    source: `
      import { Schema } from "effect"
      const Pod = Schema.Struct({ metadata: Schema.Struct({ name: Schema.String }) })
      export const handler = (input) => Schema.decodeUnknownSync(Pod)(input)`
  }
]

const bundleSizes = new Map<string, { bytes: number; gzip: number; file: string }>()
for (const [index, bundle] of bundles.entries()) {
  const file = `${out}/handler-${index}.mjs`
  const result = await esbuild.build({
    stdin: { contents: bundle.source, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    // Some CommonJS dependencies require Node built-ins at run time.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";const require=__createRequire(import.meta.url);'
    },
    write: false,
    logLevel: "error"
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`${bundle.name}: no output`)
  writeFileSync(file, output.contents)
  bundleSizes.set(bundle.name, {
    bytes: output.contents.byteLength,
    gzip: gzipSync(output.contents, { level: 9 }).byteLength,
    file
  })
}
const emptyFile = `${out}/empty.mjs`
writeFileSync(emptyFile, "")

const coldTimes = new Map<string, Array<number>>(
  ["empty", ...bundles.map((bundle) => bundle.name)].map((name): [string, Array<number>] => [name, []])
)
const coldFiles: ReadonlyArray<readonly [string, string]> = [
  ["empty", emptyFile],
  ...bundles.map((bundle) => [bundle.name, bundleSizes.get(bundle.name)?.file ?? ""] as const)
]
for (let run = 0; run < coldRuns; run++) {
  for (let index = 0; index < coldFiles.length; index++) {
    const [name, file] = coldFiles[(index + run) % coldFiles.length] ?? ["", ""]
    const start = performance.now()
    const child = spawnSync(process.execPath, [file], { stdio: "ignore" })
    const elapsed = performance.now() - start
    if (child.status !== 0) throw new Error(`node ${file} exited with ${child.status}`)
    coldTimes.get(name)?.push(elapsed)
  }
}

// --- the table -----------------------------------------------------------------

const ratio = (value: number) => `${value.toFixed(2)}×`
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const signed = (milliseconds: number) => `${milliseconds < 0 ? "−" : "+"}${Math.abs(milliseconds).toFixed(0)}`
const verdict = (holds: boolean) => (holds ? "holds" : "MISSED")

const list = (name: string) => listTimes.get(name) ?? []
const watch = (name: string) => watchRates.get(name) ?? []
const cold = (name: string) => coldTimes.get(name) ?? []
const heapOf = (name: string) => heap.get(name) ?? []
const size = (name: string) => bundleSizes.get(name) ?? { bytes: Number.NaN, gzip: Number.NaN, file: "" }
/** The median over runs of (bundle − empty) within each run. */
const overEmpty = (name: string) => median(cold(name).map((time, run) => time - (cold("empty")[run] ?? Number.NaN)))

/**
 * The ratio a / b of each round (samples at the same index were taken in the
 * same round): pairing cancels the slow and fast spells of a shared machine.
 */
const paired = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Array<number> =>
  a.map((value, index) => value / (b[index] ?? Number.NaN))
const pairedRatio = (samples: ReadonlyArray<number>) => `${ratio(median(samples))} (${range(samples, 2)})`

const listRatios = paired(list(ours.name), list(floor.name))
const watchRatios = paired(watch(ours.name), watch(peer.name))
const listRatio = median(listRatios)
const watchRatio = median(watchRatios)
const ourGzip = size(ours.name).gzip
const ourCold = overEmpty(ours.name)
const ourHeap = median(heapOf("effect-kube"))
const prunedHeap = median(heapOf("effect-kube-pruned"))
const parseHeap = median(heapOf("json-parse"))
const ourSockets = connections.get(ours.name)?.sockets ?? Number.NaN

const bounds: Array<string> = [
  `| what bounds the goals (see bench/README.md) | median (min–max) | ratio (paired by round) |`,
  `|---|---|---|`,
  `| transport alone: the list's body read as text, ms | effect-kube ${figure(textTimes.get(ours.name) ?? [], 0)}; fetch ${figure(textTimes.get(floor.name) ?? [], 0)} | ${pairedRatio(paired(textTimes.get(ours.name) ?? [], textTimes.get(floor.name) ?? []))} |`,
  `| JSON.parse of the ${pods / 1000}k list text, ms | ${figure(parseAlone, 0)} | |`,
  `| Pod list decode of the parsed value, ms | ${figure(decodeAlone, 0)} | ${pairedRatio(paired(decodeAlone, parseAlone))} of JSON.parse |`,
  `| heap per pod of the decoded list alone (no Store), KB | ${figure(heapOf("decoded-list"), 1)} | ${ratio(median(heapOf("decoded-list")) / parseHeap)} of JSON.parse's |`,
  `| JSON.parse per watch line alone, events/s | ${figure(linesParsedAlone, 0)} | ${pairedRatio(paired(linesParsedAlone, watch(peer.name)))} client-node |`,
  `| JSON.parse + Pod decode per watch line alone, events/s | ${figure(linesDecodedAlone, 0)} | ${pairedRatio(paired(linesDecodedAlone, watch(peer.name)))} client-node |`
]

const rows: Array<string> = [
  `| measure | effect-kube | client-node 2.0.1 | fetch + JSON.parse |`,
  `|---|---|---|---|`,
  `| list ${pods / 1000}k pods, decoded, ms | ${contenders.map((contender) => figure(list(contender.name), 0)).join(" | ")} |`,
  `| watch ${events / 1000}k events, decoded, events/s | ${contenders.map((contender) => figure(watch(contender.name), 0)).join(" | ")} |`,
  `| list-pods handler bundle, minified / gzip | ${contenders.map((contender) => `${kb(size(contender.name).bytes)} / ${kb(size(contender.name).gzip)}`).join(" | ")} |`,
  `| cold import over empty script, ms | ${contenders.map((contender) => signed(overEmpty(contender.name))).join(" | ")} |`,
  `| heap per cached pod, KB | ${figure(heapOf("effect-kube"), 1)}; managedFields pruned ${figure(heapOf("effect-kube-pruned"), 1)} | ${figure(heapOf("client-node"), 1)} | ${figure(heapOf("json-parse"), 1)} |`,
  `| TCP connections for 5 sequential calls | ${contenders.map((contender) => String(connections.get(contender.name)?.sockets ?? "?")).join(" | ")} |`
]
const baselineName = "baseline: effect, one Schema.Struct decode"
const baseline = size(baselineName)
const goals: Array<string> = [
  `| goal | measured: median of per-round ratios (min–max) | |`,
  `|---|---|---|`,
  `| list ≤ 1.15× fetch + JSON.parse | ${pairedRatio(listRatios)}; client-node ${pairedRatio(paired(list(peer.name), list(floor.name)))} | ${verdict(listRatio <= 1.15)} |`,
  `| watch ≥ 1.8× client-node's events/s | ${pairedRatio(watchRatios)}; fetch + JSON.parse ${pairedRatio(paired(watch(floor.name), watch(peer.name)))} | ${verdict(watchRatio >= 1.8)} |`,
  `| bundle ≤ 90 KB gzip | ${kb(ourGzip)} (effect alone, one Schema.Struct decode: ${kb(baseline.gzip)}) | ${verdict(ourGzip <= 90 * 1024)} |`,
  `| cold import ≤ +40 ms over empty | +${ourCold.toFixed(0)} ms (effect alone +${overEmpty(baselineName).toFixed(0)} ms; empty ${median(cold("empty")).toFixed(0)} ms) | ${verdict(ourCold <= 40)} |`,
  `| heap per pod ≤ JSON.parse's | ${ratio(ourHeap / parseHeap)} of JSON.parse's | ${verdict(ourHeap <= parseHeap)} |`,
  `| …about half with managedFields pruned | ${ratio(prunedHeap / parseHeap)} of JSON.parse's | ${verdict(prunedHeap <= parseHeap * 0.6)} |`,
  `| 1 connection for sequential calls | ${ourSockets} | ${verdict(ourSockets === 1)} |`
]
const facts =
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${quick ? "--quick, " : ""}` +
  `${rounds} interleaved rounds (median, min–max)${collectBeforeEachCall ? "" : ", no GC before each call"}, cold import median of ${coldRuns}, heap median of ${heapRuns} ` +
  `process(es); list ${(ready.listBytes / 1e6).toFixed(1)} MB, watch ${(ready.watchBytes / 1e6).toFixed(1)} MB; ` +
  `${new Date().toISOString()}`
const table = `${facts}\n\n${rows.join("\n")}\n\n${goals.join("\n")}\n\n${bounds.join("\n")}\n`
writeFileSync(`${out}/latest.md`, table)
process.stdout.write(table)
process.exit(0)
