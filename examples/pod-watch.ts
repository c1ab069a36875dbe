/**
 * Watches pods and prints each event as it arrives: a raw `Api.watch` from
 * the resourceVersion of a fresh list, so no change in between is missed.
 * (`effect-kube/runtime`'s watcher adds reconnection and relisting on top.)
 *
 *   npm run example examples/pod-watch.ts -- [--namespace <ns>] [--selector app=web] [--count N] [--embedded]
 *
 * On the embedded server (no cluster configured, or `--embedded`) a
 * background fiber creates, updates and deletes a pod so there is something
 * to watch, and the example stops after those events.
 */
import { parseArgs } from "node:util"
import { Console, Effect, Stream } from "effect"
import { Api, Patch } from "effect-kube"
import { Pod } from "effect-kube/api/core/v1"
import * as Cluster from "./support/cluster.js"

const { values: flags } = parseArgs({
  options: {
    namespace: { type: "string", short: "n" },
    selector: { type: "string", short: "l" },
    count: { type: "string" },
    embedded: { type: "boolean", default: false }
  }
})

/** Changes a pod the way a scheduler and kubelet would, then deletes it. */
const activity = (pods: Api.Api<Pod>) =>
  Effect.gen(function* () {
    yield* Effect.sleep("200 millis")
    yield* pods.create({
      metadata: { name: "demo", labels: { app: "demo" } },
      spec: { containers: [{ name: "main", image: "nginx:1.27" }] }
    })
    yield* pods.patch("demo", Patch.merge({ spec: { nodeName: "node-1" } }))
    yield* pods.patchStatus("demo", Patch.merge({ status: { phase: "Running" } }))
    yield* pods.delete("demo")
  })

const program = Effect.gen(function* () {
  const target = yield* Cluster.describe
  const pods = yield* Api.namespaced(Pod, flags.namespace)
  const selector = flags.selector === undefined ? {} : { labelSelector: flags.selector }
  const initial = yield* pods.list(selector)
  yield* Console.log(
    `${initial.items.length} pods now (resourceVersion ${initial.metadata.resourceVersion}); watching for changes…`
  )
  const count =
    flags.count === undefined ? (target.kind === "embedded" ? 4 : Number.POSITIVE_INFINITY) : Number(flags.count)
  const watching = pods.watch({ ...selector, resourceVersion: initial.metadata.resourceVersion }).pipe(
    Stream.filter((event) => event.type !== "BOOKMARK"),
    Stream.take(count),
    Stream.runForEach((event) =>
      Console.log(
        `${event.type.padEnd(8)} ${event.object.metadata?.name}  phase ${event.object.status?.phase ?? "-"}  node ${event.object.spec?.nodeName ?? "-"}  resourceVersion ${event.object.metadata?.resourceVersion}`
      )
    )
  )
  // On the embedded server, a failure of the scripted activity ends the example too.
  yield* target.kind === "embedded"
    ? Effect.all([watching, activity(pods)], { concurrency: "unbounded", discard: true })
    : watching
})

program
  .pipe(
    Effect.provide(Cluster.layer({ embedded: flags.embedded || !Cluster.clusterConfigured() })),
    Effect.scoped,
    Effect.tapCause((cause) => Console.error(`pod-watch failed:\n${cause}`)),
    Effect.runPromise
  )
  .then(
    () => process.exit(0),
    () => process.exit(1)
  )
