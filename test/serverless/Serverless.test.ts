/**
 * The serverless examples in their real runtimes against FakeKube on
 * loopback: the Cloudflare Worker in workerd, the Deno/Bun module in Deno and
 * in Bun, the Lambda handler in a Node process that plays the Lambda runtime.
 * Each must list the pods, read the ConfigMap, answer a missing ConfigMap
 * with the typed NotFound as a 404, and build its client once for all
 * invocations. Prints the bundle sizes and first-invocation latencies.
 */
import { execFile } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema } from "effect"
import { afterAll } from "vitest"
import { FakeKube } from "../../src/testing/index.js"
import { type Bundle, binaries, bundle, type Invocation, invoke, type Served, serve } from "./runtimes.js"

const pod = (namespace: string, name: string, image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace },
  spec: { containers: [{ name: "main", image }] }
})

const objects = [
  pod("default", "web-0", "nginx"),
  pod("default", "web-1", "nginx"),
  pod("kube-system", "dns-0", "coredns"),
  {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "default" },
    data: { greeting: "hello from FakeKube" }
  }
]

/** The three invocations every example serves, in order. */
const questions = [{}, {}, { configMap: "missing" }] as const

/** Checks what a user relies on: the answers, and one client for every invocation. */
const expectAnswers = (answers: ReadonlyArray<Pick<Invocation, "status" | "body">>) => {
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 404])
  for (const [index, answer] of answers.slice(0, 2).entries())
    expect(answer.body).toEqual({
      pods: ["web-0", "web-1"],
      configMap: { name: "settings", data: { greeting: "hello from FakeKube" } },
      runtime: { builds: 1, invocation: index + 1 }
    })
  expect(answers[2]?.body).toMatchObject({
    error: { tag: "KubeApiError", reason: "NotFound", message: expect.stringContaining("missing") },
    runtime: { builds: 1, invocation: 3 }
  })
}

interface Measurement {
  readonly runtime: string
  readonly bundle: Bundle
  readonly startupMillis: number
  readonly firstMillis: number
  readonly warmMillis: number
}
const measurements: Array<Measurement> = []

afterAll(() => {
  const rows = measurements.map((m) => ({
    runtime: m.runtime,
    bytes: m.bundle.bytes,
    gzipBytes: m.bundle.gzipBytes,
    "startup ms": Math.round(m.startupMillis),
    "first invocation ms": Math.round(m.firstMillis),
    "warm invocation ms": Math.round(m.warmMillis)
  }))
  console.table(rows)
})

/** Serves the three questions to a served example, records the numbers, returns the answers. */
const askServed = (runtime: string, served: Served, bundled: Bundle) =>
  Effect.gen(function* () {
    const answers: Array<Invocation> = []
    for (const question of questions) answers.push(yield* invoke(served.url, question))
    measurements.push({
      runtime,
      bundle: bundled,
      startupMillis: served.startupMillis,
      firstMillis: answers[0]?.millis ?? Number.NaN,
      warmMillis: answers[1]?.millis ?? Number.NaN
    })
    return answers
  })

const listeningOn = (pattern: RegExp) => (line: string) => {
  const port = pattern.exec(line)?.[1]
  return port === undefined ? undefined : Number(port)
}

const certificateAuthorityOf = (server: FakeKube.Server) =>
  Option.getOrThrowWith(server.certificateAuthority, () => new Error("FakeKube served TLS without a CA"))

/** The workerd configuration: the worker, its bindings, and an outbound network allowed to reach loopback. */
const workerdConfig = (server: FakeKube.Server) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The default outbound ("internet") reaches only public addresses; FakeKube is on 127.0.0.1.
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "KUBE_SERVER", text = ${JSON.stringify(server.url)}),
    (name = "KUBE_TOKEN", text = ${JSON.stringify(Redacted.value(server.token))}),
  ],
  globalOutbound = "loopback",
);
`

const serveWorker = (server: FakeKube.Server) =>
  Effect.gen(function* () {
    const bundled = yield* bundle("worker.ts", "workerd", "worker.js")
    writeFileSync(join(bundled.directory, "config.capnp"), workerdConfig(server))
    const served = yield* serve({
      command: binaries.workerd(),
      args: ["serve", "config.capnp", "--control-fd=3"],
      cwd: bundled.directory,
      env: {},
      findPort: listeningOn(/"event":"listen","socket":"http","port":(\d+)/)
    })
    return { bundled, served }
  })

/** Serves the Deno/Bun module in `runtime` with the given environment. */
const serveScript = (runtime: "deno" | "bun", env: Readonly<Record<string, string>>) =>
  Effect.gen(function* () {
    const bundled = yield* bundle("script.ts", "deno-bun", "script.js")
    const command =
      runtime === "deno"
        ? {
            command: binaries.deno(),
            args: ["serve", "--allow-env", "--allow-net", "--host", "127.0.0.1", "--port", "0", "script.js"],
            cwd: bundled.directory,
            env: { ...env, DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(bundled.directory, ".deno") },
            findPort: listeningOn(/Listening on http:\/\/127\.0\.0\.1:(\d+)/)
          }
        : {
            command: binaries.bun(),
            args: ["script.js"],
            cwd: bundled.directory,
            env: { ...env, PORT: "0", NODE_ENV: "production" },
            findPort: listeningOn(/Started (?:development )?server: http:\/\/[^:]+:(\d+)/)
          }
    const served = yield* serve(command)
    return { bundled, served }
  })

const environmentFor = (server: FakeKube.Server, withCertificateAuthority: boolean): Record<string, string> => ({
  KUBE_SERVER: server.url,
  KUBE_TOKEN: Redacted.value(server.token),
  ...(withCertificateAuthority ? { KUBE_CA: certificateAuthorityOf(server) } : {})
})

/** What lambda-invoker.mjs prints. */
const LambdaRun = Schema.Struct({
  initMillis: Schema.Number,
  invocations: Schema.Array(Schema.Struct({ status: Schema.Number, body: Schema.Unknown, millis: Schema.Number }))
})

/** Runs the bundled Lambda handler for the three questions in one Node process (one Lambda instance). */
const runLambda = (bundled: Bundle, env: Readonly<Record<string, string>>) =>
  Effect.callback<typeof LambdaRun.Type, Error>((resume) => {
    const events = questions.map((question) => ({ queryStringParameters: question }))
    execFile(
      binaries.node(),
      [join(import.meta.dirname, "lambda-invoker.mjs"), bundled.file, JSON.stringify(events)],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null)
          return resume(Effect.fail(new Error(`the Lambda instance failed: ${error.message}\n${stderr}`)))
        resume(
          Schema.decodeUnknownEffect(Schema.fromJsonString(LambdaRun))(stdout).pipe(
            Effect.mapError((decodeError) => new Error(`the Lambda instance printed ${stdout}: ${decodeError.message}`))
          )
        )
      }
    )
  })

describe("serverless examples in their real runtimes", () => {
  it.live("Cloudflare Worker in workerd: pods, ConfigMap, typed NotFound, one client for every request", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({ objects })
      const { bundled, served } = yield* serveWorker(server)
      expect(bundled.file.endsWith("worker.js")).toBe(true)
      expectAnswers(yield* askServed("workerd (Worker)", served, bundled))
    })
  )

  it.live("Cloudflare Worker in workerd: a cluster with a private CA fails with a typed network error", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({ objects, tls: true })
      const { served } = yield* serveWorker(server)
      const answer = yield* invoke(served.url)
      expect(answer.status).toBe(502)
      expect(answer.body).toMatchObject({ error: { tag: "KubeNetworkError" }, runtime: { builds: 1 } })
    })
  )

  for (const runtime of ["deno", "bun"] as const) {
    it.live(`${runtime}: pods, ConfigMap, typed NotFound, one client for every request`, () =>
      Effect.gen(function* () {
        const server = yield* FakeKube.serve({ objects })
        const { bundled, served } = yield* serveScript(runtime, environmentFor(server, false))
        expectAnswers(yield* askServed(runtime, served, bundled))
      })
    )

    it.live(`${runtime}: trusts the cluster's private CA given as KUBE_CA`, () =>
      Effect.gen(function* () {
        const server = yield* FakeKube.serve({ objects, tls: true })
        expect(server.url.startsWith("https://")).toBe(true)
        const { served } = yield* serveScript(runtime, environmentFor(server, true))
        const answers: Array<Invocation> = []
        for (const question of questions) answers.push(yield* invoke(served.url, question))
        expectAnswers(answers)
      })
    )
  }

  it.live("Lambda handler in a Node process: fetch transport, one client for every invocation", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({ objects })
      const bundled = yield* bundle("lambda.ts", "lambda", "index.mjs")
      const run = yield* runLambda(bundled, environmentFor(server, false))
      expectAnswers(run.invocations)
      measurements.push({
        runtime: "Node (Lambda handler)",
        bundle: bundled,
        startupMillis: run.initMillis,
        firstMillis: run.invocations[0]?.millis ?? Number.NaN,
        warmMillis: run.invocations[1]?.millis ?? Number.NaN
      })
    })
  )

  it.live("Lambda handler in a Node process: the Node transport trusts the private CA given as KUBE_CA", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({ objects, tls: true })
      const bundled = yield* bundle("lambda.ts", "lambda", "index.mjs")
      const run = yield* runLambda(bundled, environmentFor(server, true))
      expectAnswers(run.invocations)
    })
  )
})
