/**
 * `npm run test:e2e`: the conformance suite against the real kube-apiserver
 * harness, then the same suite against FakeKube, and a summary of where the
 * two differ. Builds the harness if needed (fails loudly without Go), starts
 * it once, reports its start-up time and memory, stops it, and exits
 * non-zero when any test fails on either target.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildHarness, startRealApiServer } from "../test/apiserver/harness.js"

const root = new URL("..", import.meta.url).pathname
const vitest = join(root, "node_modules/.bin/vitest")
const reports = mkdtempSync(join(tmpdir(), "effect-kube-e2e-"))

/** Resident memory (MiB) of a process and its descendants, from /proc. */
const residentMemory = (pid: number): number => {
  const parentOf = new Map<number, number>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]))
    } catch {}
  }
  const tree = [pid]
  for (let index = 0; index < tree.length; index++)
    for (const [child, parent] of parentOf) if (parent === tree[index]) tree.push(child)
  let kilobytes = 0
  for (const member of tree) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, "utf8"))
      kilobytes += Number(match?.[1] ?? 0)
    } catch {}
  }
  return Math.round(kilobytes / 1024)
}

interface Outcome {
  readonly name: string
  readonly status: string
  readonly message: string
}

/** The first line of a test's first failure message. */
const firstLine = (messages: unknown): string =>
  Array.isArray(messages)
    ? (String(messages[0] ?? "")
        .replaceAll(`${String.fromCharCode(27)}[`, "[")
        .split("\n")[0]
        ?.slice(0, 300) ?? "")
    : ""

/** Runs the suite against one target; returns every test's outcome. */
const runSuite = (target: string, env: { readonly [name: string]: string }): ReadonlyArray<Outcome> => {
  const output = join(reports, `${target}.json`)
  const started = Date.now()
  spawnSync(
    vitest,
    [
      "run",
      "--config",
      "test/conformance/vitest.config.ts",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${output}`
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, ...env, CONFORMANCE_TARGET: target } }
  )
  console.log(`e2e: ${target}: suite ran in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  let report: unknown
  try {
    report = JSON.parse(readFileSync(output, "utf8"))
  } catch {
    throw new Error(`e2e: the ${target} run wrote no report (${output}); see the output above`)
  }
  const files = Reflect.get(Object(report), "testResults")
  if (!Array.isArray(files)) throw new Error(`e2e: the ${target} report has no testResults`)
  return files.flatMap((file: unknown) => {
    const assertions = Reflect.get(Object(file), "assertionResults")
    return Array.isArray(assertions)
      ? assertions.map((assertion: unknown) => ({
          name: String(Reflect.get(Object(assertion), "fullName")),
          status: String(Reflect.get(Object(assertion), "status")),
          message: firstLine(Reflect.get(Object(assertion), "failureMessages"))
        }))
      : [
          {
            name: `${String(Reflect.get(Object(file), "name"))} (file)`,
            status: String(Reflect.get(Object(file), "status")),
            message: String(Reflect.get(Object(file), "message") ?? "")
          }
        ]
  })
}

const main = async (): Promise<number> => {
  const buildStarted = Date.now()
  buildHarness()
  console.log(`e2e: harness binary ready in ${((Date.now() - buildStarted) / 1000).toFixed(1)} s`)
  const harness = await startRealApiServer()
  let real: ReadonlyArray<Outcome>
  try {
    const pid = Number(JSON.parse(readFileSync(join(harness.dir, "ready.json"), "utf8")).pid)
    console.log(
      `e2e: kube-apiserver ${harness.version} at ${harness.server} ready in ${harness.startupMillis} ms; ` +
        `resident memory of the harness (etcd, apiserver, controller-manager): ${residentMemory(pid)} MiB`
    )
    real = runSuite("real", { CONFORMANCE_HARNESS_DIR: harness.dir })
    console.log(`e2e: resident memory of the harness after the suite: ${residentMemory(pid)} MiB`)
  } finally {
    await harness.stop()
  }
  const fake = runSuite("fakekube", {})

  const fakeByName = new Map(fake.map((outcome) => [outcome.name, outcome]))
  const count = (outcomes: ReadonlyArray<Outcome>, status: string) =>
    outcomes.filter((outcome) => outcome.status === status).length
  console.log("\n=== conformance summary ===")
  for (const [target, outcomes] of [
    ["real", real],
    ["fakekube", fake]
  ] as const)
    console.log(
      `${target}: ${count(outcomes, "passed")} passed, ${count(outcomes, "failed")} failed, ` +
        `${outcomes.length - count(outcomes, "passed") - count(outcomes, "failed")} skipped`
    )
  const differences = real.filter((outcome) => fakeByName.get(outcome.name)?.status !== outcome.status)
  if (differences.length > 0) {
    console.log("\nwhere the targets differ (real → fakekube):")
    for (const outcome of differences) {
      const other = fakeByName.get(outcome.name)
      console.log(`- ${outcome.name}: ${outcome.status} → ${other?.status ?? "missing"}`)
      if (other?.message) console.log(`    ${other.message}`)
    }
  }
  const failed = [...real, ...fake].filter((outcome) => outcome.status === "failed")
  return failed.length === 0 && real.length > 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  }
)
