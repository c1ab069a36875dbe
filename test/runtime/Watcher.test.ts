import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { ConfigMap } from "../../src/api/core/v1.js"
import type * as Api from "../../src/client/Api.js"
import { KubeApiError, type KubeError } from "../../src/client/KubeError.js"
import * as Watcher from "../../src/runtime/Watcher.js"
import { makeMemoryCluster } from "./support/memoryCluster.js"

const settle = Effect.gen(function* () {
  for (let round = 0; round < 20; round++) yield* Effect.yieldNow
})

const describeEvent = (event: Watcher.WatcherEvent<ConfigMap>) =>
  event._tag === "Init" || event._tag === "InitDone"
    ? event._tag
    : `${event._tag} ${event.object.metadata?.name}@${event.object.metadata?.resourceVersion}`

/** Runs a watcher in the background, collecting what it emits. */
const collect = (stream: Stream.Stream<Watcher.WatcherEvent<ConfigMap>>) =>
  Effect.gen(function* () {
    const seen: Array<string> = []
    const fiber = yield* Effect.forkChild(
      Stream.runForEach(stream, (event) => Effect.sync(() => seen.push(describeEvent(event))))
    )
    yield* settle
    return { seen, fiber }
  })

/** A cluster holding "a/one" and a watcher of it whose reported errors are kept. */
const watchOneObject = Effect.gen(function* () {
  const cluster = yield* makeMemoryCluster
  yield* cluster.put("a", "one")
  const errors: Array<KubeError> = []
  const { seen, fiber } = yield* collect(
    Watcher.watcher(cluster.api, { onError: (error) => Effect.sync(() => errors.push(error)) })
  )
  return { cluster, seen, fiber, errors }
})

describe("Watcher", () => {
  it.effect(
    "lists, then watches from the list's version, and resumes from the last bookmark after a server timeout",
    () =>
      Effect.gen(function* () {
        const cluster = yield* makeMemoryCluster
        yield* cluster.put("a", "one")
        yield* cluster.put("a", "two")
        const { seen, fiber } = yield* collect(Watcher.watcher(cluster.api))
        assert.deepStrictEqual(seen, ["Init", "InitApply one@1", "InitApply two@2", "InitDone"])
        yield* cluster.put("a", "one")
        yield* cluster.remove("a", "two")
        yield* cluster.bookmark
        yield* settle
        yield* cluster.endWatches
        yield* settle
        yield* cluster.put("a", "three")
        yield* settle
        assert.deepStrictEqual(seen.slice(4), ["Apply one@3", "Delete two@4", "Apply three@5"])
        assert.deepStrictEqual(
          cluster.watchRequests().map((query) => query.resourceVersion),
          ["2", "4"],
          "the second watch resumes from the bookmark's version"
        )
        assert.strictEqual(cluster.listCalls(), 1, "a resumed watch does not relist")
        assert.isUndefined(fiber.pollUnsafe(), "the stream never ends")
      })
  )

  it.effect("relists on an HTTP 410 when resuming, without reporting an error; the relist sees deletes", () =>
    Effect.gen(function* () {
      const { cluster, seen, fiber, errors } = yield* watchOneObject
      yield* cluster.put("a", "other")
      yield* settle
      // The watch drops; meanwhile "one" is deleted and the history compacted.
      yield* cluster.endWatches
      yield* cluster.remove("a", "one")
      yield* cluster.put("a", "two")
      yield* cluster.compact
      yield* settle
      assert.deepStrictEqual(seen, [
        "Init",
        "InitApply one@1",
        "InitDone",
        "Apply other@2",
        "Init",
        "InitApply other@2",
        "InitApply two@4",
        "InitDone"
      ])
      assert.strictEqual(cluster.listCalls(), 2)
      yield* cluster.put("a", "three")
      yield* settle
      assert.strictEqual(seen.at(-1), "Apply three@5")
      assert.deepStrictEqual(errors, [])
      assert.isUndefined(fiber.pollUnsafe(), "the stream never ends")
    })
  )

  it.effect("relists on a 410 ERROR event in the watch stream, without reporting an error", () =>
    Effect.gen(function* () {
      const { cluster, seen, fiber, errors } = yield* watchOneObject
      yield* cluster.put("a", "two")
      yield* settle
      yield* cluster.expireWatches
      yield* settle
      assert.deepStrictEqual(seen.slice(3), ["Apply two@2", "Init", "InitApply one@1", "InitApply two@2", "InitDone"])
      assert.deepStrictEqual(errors, [])
      assert.isUndefined(fiber.pollUnsafe())
    })
  )

  it.effect("a streaming list emits Init, InitApply… and InitDone at the end bookmark, then watches on", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("a", "one")
      yield* cluster.put("b", "two")
      const { seen } = yield* collect(Watcher.watcher(cluster.api, { initialList: "Streaming" }))
      assert.deepStrictEqual(seen, ["Init", "InitApply one@1", "InitApply two@2", "InitDone"])
      assert.strictEqual(cluster.listCalls(), 0)
      yield* cluster.put("a", "three")
      yield* settle
      assert.deepStrictEqual(seen.slice(4), ["Apply three@3"])
      const [first] = cluster.watchRequests()
      assert.strictEqual(first?.sendInitialEvents, "true")
      assert.strictEqual(first?.resourceVersionMatch, "NotOlderThan")
      // A reconnect resumes without sendInitialEvents, from the last version.
      yield* cluster.endWatches
      yield* settle
      const second = cluster.watchRequests()[1]
      assert.isUndefined(second?.sendInitialEvents)
      assert.strictEqual(second?.resourceVersion, "3")
    })
  )

  it.effect("treats a watch silent past its timeout as dead and resumes", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("a", "one")
      yield* collect(Watcher.watcher(cluster.api, { timeoutSeconds: 10, idleMargin: "2 seconds" }))
      assert.strictEqual(cluster.watchRequests().length, 1)
      yield* TestClock.adjust("11 seconds")
      yield* settle
      assert.strictEqual(cluster.watchRequests().length, 1)
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(cluster.watchRequests().length, 2)
      assert.strictEqual(cluster.watchRequests()[1]?.resourceVersion, "1")
    })
  )

  it.effect("a failing list is retried after a growing backoff and reported to onError; the stream goes on", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("a", "one")
      let failuresLeft = 3
      const unavailable = new KubeApiError({
        method: "GET",
        url: "http://memory/api/v1/configmaps",
        status: { status: "Failure", reason: "ServiceUnavailable", code: 503 },
        code: 503
      })
      const flaky: Api.Api<ConfigMap> = {
        ...cluster.api,
        list: (params, options) => (failuresLeft-- > 0 ? Effect.fail(unavailable) : cluster.api.list(params, options))
      }
      const reported: Array<number> = []
      const { seen } = yield* collect(
        Watcher.watcher(flaky, {
          backoff: { initial: "1 second", jitter: 0 },
          onError: () => Effect.map(Clock.currentTimeMillis, (now) => void reported.push(now))
        })
      )
      for (let second = 0; second < 8; second++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      // Each failure waits twice as long as the one before: attempts at 0 s, 1 s, 3 s, 7 s.
      assert.deepStrictEqual(reported, [0, 1000, 3000])
      assert.deepStrictEqual(seen.filter((event) => event === "Init").length, 4)
      assert.strictEqual(seen.at(-1), "InitDone")
    })
  )
})
