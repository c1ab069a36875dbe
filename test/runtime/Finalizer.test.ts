import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Patch from "../../src/core/Patch.js"
import * as Finalizer from "../../src/runtime/Finalizer.js"
import { FakeKube } from "../../src/testing/index.js"

const name = "example.com/cleanup"

const configMap = (metadata: { readonly name: string; readonly finalizers?: ReadonlyArray<string> }): ConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { namespace: "default", ...metadata },
  data: { key: "value" }
})

/** A handler that records what ran and answers with the branch's name. */
const recordingHandler = () => {
  const ran: Array<string> = []
  const handler: Finalizer.Handler<ConfigMap, string, never, never> = {
    apply: (object) => Effect.sync(() => ran.push(`apply ${object.metadata?.name}`)).pipe(Effect.as("applied")),
    cleanup: (object) => Effect.sync(() => ran.push(`cleanup ${object.metadata?.name}`)).pipe(Effect.as("cleaned"))
  }
  return { ran, handler }
}

/** Each test gets its own in-process API server. */
const run = Effect.provide(FakeKube.layer())

describe("finalizer", () => {
  it.effect("adds the finalizer to a live object without running the handler", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        const created = yield* api.create(configMap({ name: "plain" }))
        const { ran, handler } = recordingHandler()
        const result = yield* Finalizer.finalizer(api, name, created, handler)
        assert.isTrue(Option.isNone(result))
        assert.deepStrictEqual(ran, [])
        assert.deepStrictEqual((yield* api.get("plain")).metadata?.finalizers, [name])

        const withOther = yield* api.create(configMap({ name: "other", finalizers: ["example.com/other"] }))
        yield* Finalizer.finalizer(api, name, withOther, handler)
        assert.deepStrictEqual((yield* api.get("other")).metadata?.finalizers, ["example.com/other", name])
      })
    )
  )

  it.effect("fails with AddFinalizerFailed instead of clobbering finalizers changed since the read", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        const { handler } = recordingHandler()
        // Absent when read, added by someone else since.
        const stale = yield* api.create(configMap({ name: "absent" }))
        yield* api.patch("absent", Patch.merge({ metadata: { finalizers: ["example.com/other"] } }))
        const error = yield* Effect.flip(Finalizer.finalizer(api, name, stale, handler))
        assert.strictEqual(error.reason._tag, "AddFinalizerFailed")
        assert.deepStrictEqual((yield* api.get("absent")).metadata?.finalizers, ["example.com/other"])

        // A list when read, changed since.
        const staleList = yield* api.create(configMap({ name: "listed", finalizers: ["example.com/a"] }))
        yield* api.patch("listed", Patch.merge({ metadata: { finalizers: ["example.com/a", "example.com/b"] } }))
        const listError = yield* Effect.flip(Finalizer.finalizer(api, name, staleList, handler))
        assert.strictEqual(listError.reason._tag, "AddFinalizerFailed")
        assert.deepStrictEqual((yield* api.get("listed")).metadata?.finalizers, ["example.com/a", "example.com/b"])
      })
    )
  )

  it.effect("runs apply on a live object that carries the finalizer", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        const object = yield* api.create(configMap({ name: "live", finalizers: [name] }))
        const { ran, handler } = recordingHandler()
        assert.deepStrictEqual(yield* Finalizer.finalizer(api, name, object, handler), Option.some("applied"))
        assert.deepStrictEqual(ran, ["apply live"])
      })
    )
  )

  it.effect("cleans up a deleted object, then removes only its own finalizer", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        yield* api.create(configMap({ name: "shared", finalizers: ["example.com/other", name] }))
        yield* api.delete("shared")
        const deleting = yield* api.get("shared")
        assert.isDefined(deleting.metadata?.deletionTimestamp)
        const { ran, handler } = recordingHandler()
        assert.deepStrictEqual(yield* Finalizer.finalizer(api, name, deleting, handler), Option.some("cleaned"))
        assert.deepStrictEqual(ran, ["cleanup shared"])
        assert.deepStrictEqual((yield* api.get("shared")).metadata?.finalizers, ["example.com/other"])
      })
    )
  )

  it.effect("lets the deletion complete once the last finalizer is removed", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        yield* api.create(configMap({ name: "last", finalizers: [name] }))
        yield* api.delete("last")
        const deleting = yield* api.get("last")
        const { handler } = recordingHandler()
        yield* Finalizer.finalizer(api, name, deleting, handler)
        assert.isTrue(Option.isNone(yield* api.getOption("last")))
        // Gone: a second run on the stale copy (a duplicate event) still succeeds.
        assert.deepStrictEqual(yield* Finalizer.finalizer(api, name, deleting, handler), Option.some("cleaned"))
      })
    )
  )

  it.effect("keeps the finalizer when cleanup fails", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        yield* api.create(configMap({ name: "stuck", finalizers: [name] }))
        yield* api.delete("stuck")
        const deleting = yield* api.get("stuck")
        const error = yield* Effect.flip(
          Finalizer.finalizer(api, name, deleting, {
            apply: () => Effect.succeed("applied"),
            cleanup: () => Effect.fail("bucket unreachable")
          })
        )
        assert.strictEqual(error.reason._tag, "CleanupFailed")
        assert.strictEqual(error.reason._tag === "CleanupFailed" ? error.reason.error : undefined, "bucket unreachable")
        assert.deepStrictEqual((yield* api.get("stuck")).metadata?.finalizers, [name])
      })
    )
  )

  it.effect("fails with RemoveFinalizerFailed when the finalizers moved since the read", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        yield* api.create(configMap({ name: "moved", finalizers: ["example.com/other", name] }))
        yield* api.delete("moved")
        const stale = yield* api.get("moved")
        // Another controller removes its own finalizer first: ours moves from index 1 to 0.
        yield* api.patch("moved", Finalizer.removePatch(0, "example.com/other"))
        const { handler } = recordingHandler()
        const error = yield* Effect.flip(Finalizer.finalizer(api, name, stale, handler))
        assert.strictEqual(error.reason._tag, "RemoveFinalizerFailed")
        assert.deepStrictEqual((yield* api.get("moved")).metadata?.finalizers, [name])
      })
    )
  )

  it.effect("does nothing for a deleted object without the finalizer, and refuses an unnamed one", () =>
    run(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        const { ran, handler } = recordingHandler()
        const deletingElsewhere = configMap({ name: "gone", finalizers: ["example.com/other"] })
        const result = yield* Finalizer.finalizer(
          api,
          name,
          {
            ...deletingElsewhere,
            metadata: { ...deletingElsewhere.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" }
          },
          handler
        )
        assert.isTrue(Option.isNone(result))
        const unnamed = yield* Effect.flip(
          Finalizer.finalizer(api, name, { apiVersion: "v1", kind: "ConfigMap" }, handler)
        )
        assert.strictEqual(unnamed.reason._tag, "UnnamedObject")
        assert.deepStrictEqual(ran, [])
      })
    )
  )
})
