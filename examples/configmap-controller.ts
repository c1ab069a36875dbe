/**
 * A small real controller: mirrors every ConfigMap labelled
 * `example.com/mirror=true` into a `<name>-mirror` ConfigMap it owns.
 *
 * - The Controller watches the labelled ConfigMaps, and the mirrors through
 *   their `ownerReferences` (`Controller.owns`), so editing or deleting a
 *   mirror by hand brings it back.
 * - A finalizer (`example.com/mirror-cleanup`) makes deleting a source delete
 *   its mirror first, and logs the cleanup.
 * - Every change is reported as an Event (`kubectl events`), with repeats
 *   folded into a series.
 *
 * Where it runs: with a kubeconfig (or in a pod) against that cluster; without
 * one, or with `--embedded`, against an embedded API server. With
 * `--embedded` it also acts out a short scenario — create a source, update
 * it, delete it — checks the mirror at each step, prints the Events and
 * exits (non-zero if a step did not happen), so CI can run it; `--scenario`
 * does the same against the configured cluster (in namespace `default`):
 *
 *     npm run example examples/configmap-controller.ts -- --embedded
 *     KUBECONFIG=~/.kube/kind npm run example examples/configmap-controller.ts -- --scenario
 */
import { NodeRuntime } from "@effect/platform-node"
import { Duration, Effect, Option, pipe, Schedule } from "effect"
import { Api, type KubeClient } from "effect-kube"
import { ConfigMap } from "effect-kube/api/core/v1"
import { Event } from "effect-kube/api/events/v1"
import { Controller, Finalizer, Recorder } from "effect-kube/runtime"
import * as Cluster from "./support/cluster.js"

const mirrorLabel = "example.com/mirror"
const finalizerName = "example.com/mirror-cleanup"
const fieldManager = "mirror-controller"
const namespace = "default"

const mirrorName = (source: ConfigMap) => `${source.metadata?.name ?? ""}-mirror`

/** The mirror `source` should have: its data, owned by it. */
const desiredMirror = (source: ConfigMap): ConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: mirrorName(source),
    namespace,
    labels: { "app.kubernetes.io/managed-by": fieldManager },
    ownerReferences: [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        name: source.metadata?.name ?? "",
        uid: source.metadata?.uid ?? "",
        controller: true,
        blockOwnerDeletion: true
      }
    ]
  },
  ...(source.data === undefined ? {} : { data: source.data })
})

const sameData = (left: ConfigMap, right: ConfigMap) =>
  JSON.stringify(left.data ?? {}) === JSON.stringify(right.data ?? {})

/** Runs the controller until interrupted. */
const controller = Effect.gen(function* () {
  const configMaps = yield* Api.namespaced(ConfigMap, namespace)
  const recorder = yield* Recorder.make({
    reportingController: "example.com/mirror-controller",
    reportingInstance: process.env.POD_NAME ?? `mirror-controller-${process.pid}`
  })

  /** Creates or updates the mirror; returns what was done, for the Event. */
  const ensureMirror = (source: ConfigMap) =>
    Effect.gen(function* () {
      const desired = desiredMirror(source)
      const existing = yield* configMaps.getOption(mirrorName(source))
      if (Option.isNone(existing)) {
        yield* configMaps.create(desired, { fieldManager })
        return Option.some("MirrorCreated")
      }
      if (sameData(existing.value, desired)) return Option.none()
      yield* configMaps.replace(mirrorName(source), { ...existing.value, data: desired.data ?? {} }, { fieldManager })
      return Option.some("MirrorUpdated")
    })

  const reconcile = (source: ConfigMap) =>
    Finalizer.finalizer(configMaps, finalizerName, source, {
      apply: (live) =>
        Effect.gen(function* () {
          const done = yield* ensureMirror(live)
          if (Option.isSome(done)) {
            yield* recorder.publish({
              type: "Normal",
              reason: done.value,
              action: "Mirror",
              note: `mirrored ${Object.keys(live.data ?? {}).length} keys into ${mirrorName(live)}`,
              regarding: Recorder.reference(live, ConfigMap),
              related: { apiVersion: "v1", kind: "ConfigMap", namespace, name: mirrorName(live) }
            })
          }
          return Controller.awaitChange
        }),
      cleanup: (deleting) =>
        Effect.gen(function* () {
          // A second cleanup can run before the store sees the finalizer go
          // (the mirror's deletion triggers its owner): the mirror is gone then.
          const deleted = yield* configMaps.delete(mirrorName(deleting)).pipe(
            Effect.as(true),
            Effect.catchIf(
              (error) => error._tag === "KubeApiError" && error.isNotFound,
              () => Effect.succeed(false)
            )
          )
          if (!deleted) return Controller.awaitChange
          yield* Effect.logInfo(`cleanup: deleted ${mirrorName(deleting)} before ${deleting.metadata?.name} goes`)
          yield* recorder.publish({
            type: "Normal",
            reason: "MirrorDeleted",
            action: "Cleanup",
            note: `deleted ${mirrorName(deleting)}`,
            regarding: Recorder.reference(deleting, ConfigMap)
          })
          return Controller.awaitChange
        })
    }).pipe(Effect.map(Option.getOrElse(() => Controller.awaitChange)))

  return yield* pipe(
    Controller.make(configMaps, { watcher: { labelSelector: `${mirrorLabel}=true` } }),
    Controller.owns(configMaps),
    Controller.run({ reconcile })
  )
})

/** Polls `check` every 100 ms until it holds; fails after 10 s. */
const eventually = <E, R>(what: string, check: Effect.Effect<boolean, E, R>) =>
  check.pipe(
    Effect.repeat({ until: (held) => held, schedule: Schedule.spaced("100 millis") }),
    Effect.timeoutOrElse({
      duration: Duration.seconds(10),
      orElse: () => Effect.fail(new Error(`timed out waiting until ${what}`))
    }),
    Effect.tap(() => Effect.log(`ok: ${what}`))
  )

/** Creates, updates and deletes a source, checking the mirror follows. */
const scenario = Effect.gen(function* () {
  const configMaps = yield* Api.namespaced(ConfigMap, namespace)
  const mirror = configMaps.getOption("settings-mirror")
  yield* configMaps.create({
    metadata: { name: "settings", labels: { [mirrorLabel]: "true" } },
    data: { colour: "blue" }
  })
  yield* eventually(
    "the mirror is created with the source's data",
    Effect.map(mirror, (found) => Option.isSome(found) && found.value.data?.colour === "blue")
  )
  yield* eventually(
    "the source carries the finalizer",
    Effect.map(configMaps.get("settings"), (live) => live.metadata?.finalizers?.includes(finalizerName) === true)
  )
  yield* configMaps.replace("settings", { ...(yield* configMaps.get("settings")), data: { colour: "green" } })
  yield* eventually(
    "the mirror follows an update",
    Effect.map(mirror, (found) => Option.isSome(found) && found.value.data?.colour === "green")
  )
  yield* configMaps.delete("settings-mirror")
  yield* eventually(
    "a mirror deleted by hand comes back",
    Effect.map(mirror, (found) => Option.isSome(found))
  )
  yield* configMaps.delete("settings")
  yield* eventually(
    "deleting the source deletes the mirror, then the source",
    Effect.map(
      Effect.all([mirror, configMaps.getOption("settings")]),
      ([mirrorNow, sourceNow]) => Option.isNone(mirrorNow) && Option.isNone(sourceNow)
    )
  )
  const events = yield* Effect.flatMap(Api.namespaced(Event, namespace), (api) => api.list())
  for (const event of events.items) {
    const count = event.series?.count ?? 1
    yield* Effect.log(`event: ${event.reason} ${event.regarding?.name} ×${count}: ${event.note ?? ""}`)
  }
})

const flags = new Set(process.argv.slice(2))

const main: Effect.Effect<void, unknown, KubeClient.KubeClient> =
  flags.has("--embedded") || flags.has("--scenario") ? Effect.raceFirst(controller, scenario) : controller

NodeRuntime.runMain(
  Cluster.describe.pipe(
    Effect.andThen(main),
    Effect.provide(Cluster.layer({ embedded: flags.has("--embedded") || !Cluster.clusterConfigured() }))
  )
)
