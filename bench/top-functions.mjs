/**
 * Prints the functions with the most self time in a V8 `.cpuprofile`
 * (from `node --cpu-prof`), with their share of the sampled time:
 *
 *   node bench/top-functions.mjs bench/out/<file>.cpuprofile [count=25]
 */
import { readFileSync } from "node:fs"

const [file, countArgument = "25"] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, "utf8"))
const selfSamples = new Map()
for (const sample of profile.samples) selfSamples.set(sample, (selfSamples.get(sample) ?? 0) + 1)
const byFunction = new Map()
let total = 0
for (const node of profile.nodes) {
  const samples = selfSamples.get(node.id) ?? 0
  total += samples
  const frame = node.callFrame
  const where = frame.url
    .replace(/^.*node_modules\//, "")
    .replace(/^.*\/src\//, "src/")
    .replace(/^file:\/\//, "")
  const key = `${frame.functionName || "(anonymous)"}  ${where}:${frame.lineNumber + 1}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + samples)
}
const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(countArgument))
for (const [key, samples] of top) process.stdout.write(`${((100 * samples) / total).toFixed(1).padStart(5)}%  ${key}\n`)
