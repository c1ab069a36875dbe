/**
 * How much decoding a large list costs on top of parsing it.
 *
 *   npx tsx bench/decode-list.ts [pods=10000] [runs=7]
 *   npm run bench:decode
 *   node --expose-gc --import tsx bench/decode-list.ts 10000 7 --gc
 *
 * Builds the JSON text of a realistic PodList (see `podList.ts`), then, in
 * each run, times `JSON.parse` of the text and the schema decode of the parsed
 * value (`Pod.listSchema`, what `Api.list` uses) in the same process, and
 * prints the medians and their ratio. The decode must cost at most half of
 * the parse; the ratio, not the absolute times, is what to compare across
 * machines. With `--gc` (and `--expose-gc`) a full collection runs before
 * each run, as `npm run bench` does before each timed call; the decode then
 * costs more (~0.47× JSON.parse instead of ~0.35× on the helper machine; why
 * was not pinned down).
 */
import { Schema } from "effect"
import { Pod } from "../src/api/core/v1.js"
import { podListJson } from "./podList.js"
import { median } from "./statistics.js"

const pods = Number(process.argv[2] ?? 10_000)
const runs = Number(process.argv[3] ?? 7)

const text = podListJson(pods)
const decode = Schema.decodeUnknownSync(Pod.listSchema)

// One untimed round so both sides run optimised code.
decode(JSON.parse(text))

const parseTimes: Array<number> = []
const decodeTimes: Array<number> = []
const collectFirst = process.argv.includes("--gc")
const collect = globalThis.gc
if (collectFirst && collect === undefined)
  throw new Error("--gc needs node --expose-gc (npm run bench:decode passes it)")
for (let run = 0; run < runs; run++) {
  if (collectFirst) collect?.()
  const start = performance.now()
  const parsed: unknown = JSON.parse(text)
  const parsedAt = performance.now()
  const list = decode(parsed)
  const decodedAt = performance.now()
  if (list.items.length !== pods) throw new Error(`decoded ${list.items.length} pods, expected ${pods}`)
  parseTimes.push(parsedAt - start)
  decodeTimes.push(decodedAt - parsedAt)
}

const parse = median(parseTimes)
const decoded = median(decodeTimes)
const megabytes = Buffer.byteLength(text) / 1e6
process.stdout.write(
  `PodList of ${pods} pods, ${megabytes.toFixed(1)} MB (${((megabytes * 1e3) / pods).toFixed(2)} KB per pod), ` +
    `median of ${runs} runs, node ${process.version}\n` +
    `  JSON.parse       ${parse.toFixed(1)} ms\n` +
    `  schema decode    ${decoded.toFixed(1)} ms\n` +
    `  decode / parse   ${(decoded / parse).toFixed(3)}\n`
)
