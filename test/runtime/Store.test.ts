import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Stream } from "effect"
import type { ConfigMap } from "../../src/api/core/v1.js"
import * as Store from "../../src/runtime/Store.js"
import type { WatcherEvent } from "../../src/runtime/Watcher.js"

const configMap = (namespace: string, name: string, resourceVersion: string, labels: Record<string, string> = {}) =>
  ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      namespace,
      name,
      resourceVersion,
      labels,
      managedFields: [{ manager: "kubectl", operation: "Apply", fieldsV1: { "f:data": {} } }]
    }
  }) satisfies ConfigMap

const names = (objects: ReadonlyArray<ConfigMap>) => objects.map((object) => object.metadata?.name).sort()

const applyAll = (store: Store.Store<ConfigMap>, events: ReadonlyArray<WatcherEvent<ConfigMap>>) =>
  Effect.forEach(events, store.apply, { discard: true })

describe("Store", () => {
  it.effect("swaps a relist in at InitDone, deleting what the relist no longer has", () =>
    Effect.gen(function* () {
      const store = yield* Store.make<ConfigMap>()
      assert.isFalse(yield* store.isReady)
      yield* applyAll(store, [
        { _tag: "Init" },
        { _tag: "InitApply", object: configMap("a", "one", "1") },
        { _tag: "InitApply", object: configMap("a", "two", "2") }
      ])
      // Nothing is visible before InitDone.
      assert.strictEqual(yield* store.size, 0)
      yield* store.apply({ _tag: "InitDone" })
      assert.isTrue(yield* store.isReady)
      assert.deepStrictEqual(names(yield* store.list), ["one", "two"])

      const changes = yield* store.changes.pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      // A relist after a disconnect: "two" was deleted meanwhile, "one" changed.
      yield* applyAll(store, [{ _tag: "Init" }, { _tag: "InitApply", object: configMap("a", "one", "5") }])
      assert.deepStrictEqual(names(yield* store.list), ["one", "two"], "the old cache serves reads during a relist")
      yield* store.apply({ _tag: "InitDone" })
      assert.deepStrictEqual(names(yield* store.list), ["one"])
      const one = yield* store.get({ namespace: "a", name: "one" })
      assert.strictEqual(Option.getOrUndefined(one)?.metadata?.resourceVersion, "5")
      const seen = yield* Fiber.join(changes)
      assert.deepStrictEqual(
        seen.map((change) => `${change._tag} ${change.object.metadata?.name}`),
        ["Deleted two", "Applied one"]
      )
    })
  )

  it.effect("keeps indexes by namespace, label and custom functions in step with changes", () =>
    Effect.gen(function* () {
      const store = yield* Store.make<ConfigMap>({
        indexes: {
          namespace: Store.byNamespace,
          app: Store.byLabel("app"),
          nameLength: (object) => [String(object.metadata?.name?.length ?? 0)]
        }
      })
      yield* applyAll(store, [
        { _tag: "Init" },
        { _tag: "InitApply", object: configMap("a", "web", "1", { app: "web" }) },
        { _tag: "InitApply", object: configMap("b", "db", "2", { app: "db" }) },
        { _tag: "InitDone" },
        { _tag: "Apply", object: configMap("b", "cache", "3", { app: "web" }) }
      ])
      assert.deepStrictEqual(names(yield* store.byIndex("app", "web")), ["cache", "web"])
      assert.deepStrictEqual(names(yield* store.byIndex("namespace", "b")), ["cache", "db"])
      assert.deepStrictEqual(names(yield* store.byIndex("nameLength", "2")), ["db"])

      // A label change moves the object; a delete removes it from every index.
      yield* store.apply({ _tag: "Apply", object: configMap("a", "web", "4", { app: "db" }) })
      yield* store.apply({ _tag: "Delete", object: configMap("b", "cache", "5") })
      assert.deepStrictEqual(names(yield* store.byIndex("app", "web")), [])
      assert.deepStrictEqual(names(yield* store.byIndex("app", "db")), ["db", "web"])
      assert.deepStrictEqual(names(yield* store.byIndex("namespace", "b")), ["db"])
      assert.deepStrictEqual(names(yield* store.listNamespace("a")), ["web"])
      assert.deepStrictEqual(yield* store.byIndex("unknown", "x"), [])

      // A relist rebuilds the indexes from the new set.
      yield* applyAll(store, [
        { _tag: "Init" },
        { _tag: "InitApply", object: configMap("c", "api", "9", { app: "web" }) },
        { _tag: "InitDone" }
      ])
      assert.deepStrictEqual(names(yield* store.byIndex("app", "web")), ["api"])
      assert.deepStrictEqual(yield* store.byIndex("app", "db"), [])
    })
  )

  it.effect("a delete during a streaming relist removes the object from the cache and the buffer", () =>
    Effect.gen(function* () {
      const store = yield* Store.make<ConfigMap>()
      yield* applyAll(store, [
        { _tag: "Init" },
        { _tag: "InitApply", object: configMap("a", "one", "1") },
        { _tag: "InitDone" },
        { _tag: "Init" },
        { _tag: "InitApply", object: configMap("a", "one", "1") },
        { _tag: "Delete", object: configMap("a", "one", "2") }
      ])
      assert.strictEqual(yield* store.size, 0)
      yield* store.apply({ _tag: "InitDone" })
      assert.strictEqual(yield* store.size, 0)
    })
  )

  it.effect("stores transformed objects: withoutManagedFields drops only managedFields", () =>
    Effect.gen(function* () {
      const store = yield* Store.make<ConfigMap>({ transform: Store.withoutManagedFields })
      const original = configMap("a", "one", "1", { app: "web" })
      yield* applyAll(store, [{ _tag: "Init" }, { _tag: "InitApply", object: original }, { _tag: "InitDone" }])
      const stored = Option.getOrThrow(yield* store.get({ namespace: "a", name: "one" }))
      assert.isUndefined(stored.metadata?.managedFields)
      assert.deepStrictEqual(stored.metadata?.labels, { app: "web" })
      assert.isDefined(original.metadata.managedFields, "the input object is not mutated")
      assert.strictEqual(Option.getOrUndefined(yield* store.find((object) => object.metadata?.name === "one")), stored)
    })
  )

  it.effect("waitUntilReady resumes at the first InitDone", () =>
    Effect.gen(function* () {
      const store = yield* Store.make<ConfigMap>()
      const waiting = yield* Effect.forkChild(store.waitUntilReady)
      yield* store.apply({ _tag: "Init" })
      yield* Effect.yieldNow
      assert.isUndefined(waiting.pollUnsafe())
      yield* store.apply({ _tag: "InitDone" })
      yield* Fiber.join(waiting)
      assert.isTrue(yield* store.isReady)
    })
  )
})
