import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { TestClock } from "effect/testing"
import { Namespace } from "../../src/api/core/v1.js"
import { Event } from "../../src/api/events/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Recorder from "../../src/runtime/Recorder.js"
import { FakeKube } from "../../src/testing/index.js"

const appsNamespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }

/** Each test gets its own in-process API server, with the namespace the events go to. */
const run = Effect.provide(FakeKube.layer({ objects: [appsNamespace] }))

const regarding: Recorder.ObjectReference = {
  apiVersion: "v1",
  kind: "ConfigMap",
  namespace: "apps",
  name: "settings",
  uid: "uid-settings"
}

const options = { reportingController: "example.com/mirror-controller", reportingInstance: "mirror-0" }

const listEvents = (namespace: string) =>
  Effect.flatMap(Api.namespaced(Event, namespace), (api) => Effect.map(api.list(), (list) => list.items))

describe("Recorder", () => {
  it.effect("creates an Event in the regarding object's namespace, named after it, with its reporter", () =>
    run(
      Effect.gen(function* () {
        const recorder = yield* Recorder.make(options)
        yield* recorder.publish({
          type: "Normal",
          reason: "MirrorCreated",
          action: "Create",
          note: "created settings-mirror",
          regarding,
          related: { apiVersion: "v1", kind: "ConfigMap", namespace: "apps", name: "settings-mirror" }
        })
        const events = yield* listEvents("apps")
        assert.strictEqual(events.length, 1)
        const event = events[0]
        assert.match(event?.metadata?.name ?? "", /^settings\.[0-9a-f]+$/)
        assert.strictEqual(event?.reportingController, "example.com/mirror-controller")
        assert.strictEqual(event?.reportingInstance, "mirror-0")
        assert.strictEqual(event?.type, "Normal")
        assert.strictEqual(event?.reason, "MirrorCreated")
        assert.strictEqual(event?.action, "Create")
        assert.strictEqual(event?.note, "created settings-mirror")
        assert.deepStrictEqual(event?.regarding, regarding)
        assert.strictEqual(event?.related?.name, "settings-mirror")
        assert.isUndefined(event?.series)
        assert.match(event?.eventTime ?? "", /\.\d{6}Z$/)
      })
    )
  )

  it.effect("folds repeats within the window into one Event's series", () =>
    run(
      Effect.gen(function* () {
        const recorder = yield* Recorder.make(options)
        const event = {
          type: "Warning",
          reason: "SyncFailed",
          action: "Sync",
          note: "bucket unreachable",
          regarding
        } as const
        yield* recorder.publish(event)
        yield* TestClock.adjust("1 minute")
        yield* recorder.publish(event)
        yield* TestClock.adjust("5 minutes")
        const third = yield* recorder.emit(event)
        const events = yield* listEvents("apps")
        assert.strictEqual(events.length, 1)
        assert.strictEqual(events[0]?.series?.count, 3)
        assert.strictEqual(events[0]?.series?.lastObservedTime, third.series?.lastObservedTime)
        assert.strictEqual(third.series?.lastObservedTime, "1970-01-01T00:06:00.000000Z")

        // A different note is a different event.
        yield* recorder.publish({ ...event, note: "bucket full" })
        assert.strictEqual((yield* listEvents("apps")).length, 2)
      })
    )
  )

  it.effect("starts a new Event once the window since the last occurrence has passed", () =>
    run(
      Effect.gen(function* () {
        const recorder = yield* Recorder.make({ ...options, seriesWindow: "2 minutes" })
        const event = { type: "Normal", reason: "Synced", action: "Sync", regarding } as const
        yield* recorder.publish(event)
        yield* TestClock.adjust("90 seconds")
        yield* recorder.publish(event)
        yield* TestClock.adjust("3 minutes")
        yield* recorder.publish(event)
        const events = yield* listEvents("apps")
        assert.deepStrictEqual(events.map((item) => item.series?.count ?? 1).sort(), [1, 2])
      })
    )
  )

  it.effect("cuts the note to 1 KiB and files cluster-scoped objects in default", () =>
    run(
      Effect.gen(function* () {
        const recorder = yield* Recorder.make(options)
        const created = yield* recorder.emit({
          type: "Normal",
          reason: "Labelled",
          action: "Update",
          note: "x".repeat(5000),
          regarding: Recorder.reference({ metadata: { name: "apps", uid: "ns-uid" } }, Namespace)
        })
        assert.strictEqual(created.note?.length, 1024)
        assert.strictEqual(created.metadata?.namespace, "default")
        assert.strictEqual(created.regarding?.kind, "Namespace")
        assert.strictEqual((yield* listEvents("default")).length, 1)
      })
    )
  )

  it.effect("never fails the caller: a rejected Event is logged, and emit reports it", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const recorder = yield* Recorder.make(options)
      const event = { type: "Normal", reason: "Synced", action: "Sync", regarding } as const
      yield* recorder
        .publish(event)
        .pipe(Effect.provide(Logger.layer([Logger.make(({ message }) => logged.push(String(message)))])))
      assert.deepStrictEqual(logged, ["failed to publish event"])
      const error = yield* Effect.flip(recorder.emit(event))
      assert.strictEqual(error._tag, "KubeApiError")
      assert.isTrue(error._tag === "KubeApiError" && error.isForbidden)
      // Invalid input is refused before any request.
      const invalid = yield* Effect.flip(recorder.emit({ ...event, reason: "r".repeat(129) }))
      assert.strictEqual(invalid._tag, "KubeRequestError")
    }).pipe(
      Effect.provide(
        FakeKube.layer({
          objects: [appsNamespace],
          authorize: (request) => !(request.resource === "events" && request.verb === "create")
        })
      )
    )
  )

  it.effect("keeps counting one series when reconciles publish concurrently", () =>
    run(
      Effect.gen(function* () {
        const recorder = yield* Recorder.make(options)
        const event = {
          type: "Normal",
          reason: "Synced",
          action: "Sync",
          regarding: { ...regarding, namespace: "default" }
        } as const
        yield* Effect.all(
          Array.from({ length: 5 }, () => recorder.publish(event)),
          { concurrency: "unbounded" }
        )
        const events = yield* listEvents("default")
        assert.strictEqual(events.length, 1)
        assert.strictEqual(events[0]?.series?.count, 5)
      })
    )
  )
})
