/**
 * `npm run bench:fakekube`: how FakeKube's loopback server holds up under the
 * loads users put on it in integration tests and benchmarks — seeding and
 * listing 10k realistic pods, creating pods one request at a time, a watch
 * that follows a burst of updates — with the resident memory it takes. Times
 * are printed, never asserted; the list is also read with plain fetch +
 * JSON.parse so the server's share can be told from the client's.
 */
import { Effect, Fiber, Layer, Redacted, Stream } from "effect"
import { Namespace, Pod } from "../src/api/core/v1.js"
import * as Api from "../src/client/Api.js"
import { ClusterConfig } from "../src/client/ClusterConfig.js"
import * as KubeClient from "../src/client/KubeClient.js"
import * as KubeConfigLoader from "../src/client/KubeConfigLoader.js"
import * as NodeTransport from "../src/client/NodeTransport.js"
import * as Patch from "../src/core/Patch.js"
import { FakeKube } from "../src/testing/index.js"
import { pod } from "./podList.js"
import { median, range } from "./statistics.js"

const podCount = 10_000
const creates = 1_000
const updates = Number(process.env.UPDATES ?? 5_000)
const rounds = 5

const summary = (values: ReadonlyArray<number>): string => `${Math.round(median(values))} ms (${range(values, 0)})`
const residentMiB = () => Math.round(process.memoryUsage().rss / 1024 / 1024)

/** A realistic pod from bench/podList.ts, as a user would create it: no server-owned metadata, no status. */
const benchPod = (index: number, namespace: string): Record<string, unknown> => {
  const generated = pod(index)
  const metadata = generated.metadata
  const labels = typeof metadata === "object" && metadata !== null ? Reflect.get(metadata, "labels") : undefined
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${index}`, namespace, labels },
    spec: generated.spec
  }
}

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const value = yield* effect
    return { value, millis: performance.now() - started }
  })

const program = Effect.gen(function* () {
  const before = residentMiB()
  const server = yield* FakeKube.serve()
  const configuration = yield* KubeConfigLoader.fromKubeconfigText(server.kubeconfig)
  const clientLayer = KubeClient.layer().pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provideMerge(Layer.succeed(ClusterConfig, configuration))
  )
  console.log(`FakeKube.serve at ${server.url}; node ${process.version}; RSS before ${before} MiB`)

  const seeded = yield* timed(
    server.fake.seed(Array.from({ length: podCount }, (_, index) => benchPod(index, "seeded")))
  )
  console.log(`seed ${podCount} pods (fake.seed): ${Math.round(seeded.millis)} ms; RSS ${residentMiB()} MiB`)

  yield* Effect.gen(function* () {
    const seededPods = yield* Api.namespaced(Pod, "seeded")
    const listTimes: Array<number> = []
    const fetchTimes: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      const listed = yield* timed(seededPods.list())
      if (listed.value.items.length !== podCount) throw new Error(`listed ${listed.value.items.length} pods`)
      listTimes.push(listed.millis)
      const fetched = yield* timed(
        Effect.promise(async () => {
          const response = await fetch(`${server.url}/api/v1/namespaces/seeded/pods`, {
            headers: { authorization: `Bearer ${Redacted.value(server.token)}` }
          })
          return JSON.parse(await response.text())
        })
      )
      fetchTimes.push(fetched.millis)
    }
    console.log(`list ${podCount} pods, effect-kube (decoded): ${summary(listTimes)}`)
    console.log(`list ${podCount} pods, fetch + JSON.parse:     ${summary(fetchTimes)}`)

    // Creates, one request at a time, as a test suite does.
    const namespaces = yield* Api.cluster(Namespace)
    yield* namespaces.create({ metadata: { name: "created" } })
    const createdPods = yield* Api.namespaced(Pod, "created")
    const created = yield* timed(
      Effect.forEach(
        Array.from({ length: creates }, (_, index) => index),
        (index) => createdPods.create(benchPod(index, "created")),
        { discard: true }
      )
    )
    console.log(
      `create ${creates} pods, sequential requests: ${Math.round(created.millis)} ms (${Math.round((creates / created.millis) * 1000)}/s)`
    )

    // A watch following a burst of label updates on one pod.
    const start = yield* createdPods.get("pod-0")
    const lastStep = String(updates - 1)
    const watching = yield* createdPods
      .watch({ resourceVersion: start.metadata?.resourceVersion, fieldSelector: "metadata.name=pod-0" })
      .pipe(
        Stream.filter((event) => event.type === "MODIFIED"),
        Stream.takeUntil((event) => event.type === "MODIFIED" && event.object.metadata?.labels?.step === lastStep),
        Stream.runCount,
        Effect.forkChild
      )
    const updated = yield* timed(
      Effect.gen(function* () {
        for (let index = 0; index < updates; index++)
          yield* createdPods.patch("pod-0", Patch.merge({ metadata: { labels: { step: String(index) } } }))
        return yield* Fiber.join(watching)
      })
    )
    console.log(
      `${updates} merge patches, each seen by a watch: ${Math.round(updated.millis)} ms (${Math.round((updates / updated.millis) * 1000)}/s; events ${updated.value})`
    )
  }).pipe(Effect.provide(clientLayer))
  console.log(`RSS after the lists ${residentMiB()} MiB`)
})

Effect.runPromise(Effect.scoped(program)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
