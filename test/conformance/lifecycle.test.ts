/**
 * Deletion as the server does it: an object with finalizers gets a
 * deletionTimestamp and stays until its finalizers are removed, a watcher
 * sees MODIFIED then DELETED; a delete with a stale precondition is a 409.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Patch from "../../src/core/Patch.js"
import { conformanceLayer, expectApiError, inNamespace, uniqueName } from "./support.js"

const finalizer = "conformance.example.com/hold"

layer(conformanceLayer("lifecycle"), { excludeTestServices: true })("deletion", (it) => {
  it.effect("finalizers: delete sets deletionTimestamp, the object stays until they are removed", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("held")
      const created = yield* configMaps.create({ metadata: { name, finalizers: [finalizer] }, data: { a: "1" } })

      const deleting = yield* configMaps.delete(name)
      assert.strictEqual(deleting._tag, "Deleting")
      if (deleting._tag === "Deleting") {
        assert.isString(deleting.object.metadata?.deletionTimestamp)
        assert.deepStrictEqual(deleting.object.metadata?.finalizers, [finalizer])
      }
      const held = yield* configMaps.get(name)
      assert.isString(held.metadata?.deletionTimestamp)
      assert.strictEqual(held.metadata?.deletionGracePeriodSeconds, 0)

      const addFinalizer = yield* expectApiError(
        configMaps.patch(name, Patch.merge({ metadata: { finalizers: [finalizer, "conformance.example.com/more"] } }))
      )
      assert.strictEqual(addFinalizer.code, 422, "no finalizer may be added once deletion started")

      const released = yield* configMaps.patch(name, Patch.json([{ op: "remove", path: "/metadata/finalizers" }]))
      assert.strictEqual(released.metadata?.name, name)
      assert.isTrue(Option.isNone(yield* configMaps.getOption(name)), "gone once the last finalizer is removed")

      const events = yield* Stream.runCollect(
        configMaps
          .watch({
            resourceVersion: created.metadata?.resourceVersion ?? "",
            fieldSelector: `metadata.name=${name}`,
            allowWatchBookmarks: false
          })
          .pipe(Stream.takeUntil((event) => event.type === "DELETED"))
      )
      assert.deepStrictEqual(
        events.map(
          (event) =>
            `${event.type} ${event.type === "MODIFIED" || event.type === "DELETED" ? event.object.metadata?.deletionTimestamp !== undefined : ""}`
        ),
        ["MODIFIED true", "DELETED true"]
      )
    })
  )

  it.effect("a delete whose precondition no longer holds is a typed 409 Conflict and deletes nothing", () =>
    Effect.gen(function* () {
      const configMaps = yield* inNamespace(ConfigMap)
      const name = uniqueName("guarded")
      const created = yield* configMaps.create({ metadata: { name } })
      yield* configMaps.patch(name, Patch.merge({ data: { changed: "yes" } }))
      const stale = yield* expectApiError(
        configMaps.delete(name, { preconditions: { resourceVersion: created.metadata?.resourceVersion ?? "" } })
      )
      assert.strictEqual(stale.code, 409)
      assert.isTrue(stale.isConflict)
      const wrongUid = yield* expectApiError(
        configMaps.delete(name, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } })
      )
      assert.isTrue(wrongUid.isConflict)
      assert.isTrue(Option.isSome(yield* configMaps.getOption(name)))
      yield* configMaps.delete(name, { preconditions: { uid: created.metadata?.uid ?? "" } })
      assert.isTrue(Option.isNone(yield* configMaps.getOption(name)))
    })
  )
})
