import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { CustomResourceDefinition } from "../../src/api/apiextensions/v1.js"
import { ConfigMap, Namespace, Pod } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Patch from "../../src/core/Patch.js"
import * as Resource from "../../src/core/Resource.js"
import * as WatchEvent from "../../src/core/WatchEvent.js"
import { FakeKube } from "../../src/testing/index.js"
import { expectApiError } from "../support/client.js"

/** Polls until `check` holds (controllers run just after the write that needs them, as real ones do). */
const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, check: (value: A) => boolean) =>
  Effect.gen(function* () {
    for (let attempt = 0; attempt < 200; attempt++) {
      const value = yield* effect
      if (check(value)) return value
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    }
    return yield* Effect.die(new Error("condition never held"))
  })

const configMap = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, ...extra }
})

describe("deletion", () => {
  it.effect("finalizers hold an object with a deletionTimestamp until the last one is removed", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const start = yield* configMaps.list()
      yield* configMaps.create(configMap("held", { finalizers: ["example.com/hold"] }))
      const deleting = yield* configMaps.delete("held")
      assert.strictEqual(deleting._tag, "Deleting")
      const held = yield* configMaps.get("held")
      assert.isDefined(held.metadata?.deletionTimestamp)
      assert.strictEqual(held.metadata?.deletionGracePeriodSeconds, 0)
      const adding = yield* expectApiError(
        configMaps.replace("held", { ...held, metadata: { ...held.metadata, finalizers: ["example.com/hold", "new"] } })
      )
      assert.strictEqual(adding.code, 422)
      yield* configMaps.replace("held", { ...held, metadata: { ...held.metadata, finalizers: [] } })
      const gone = yield* expectApiError(configMaps.get("held"))
      assert.strictEqual(gone.code, 404)
      const events = yield* configMaps
        .watch({ resourceVersion: start.metadata?.resourceVersion ?? "" })
        .pipe(Stream.take(3), Stream.runCollect)
      assert.deepStrictEqual(
        events.map((event) => event.type),
        ["ADDED", "MODIFIED", "DELETED"]
      )
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("delete preconditions fail with the server's Conflict messages", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const created = yield* configMaps.create(configMap("guarded"))
      const wrongUid = yield* expectApiError(configMaps.delete("guarded", { preconditions: { uid: "other" } }))
      assert.strictEqual(
        wrongUid.status.message,
        `Operation cannot be fulfilled on ConfigMap "guarded": the UID in the precondition (other) does not match the UID in record (${created.metadata?.uid}). The object might have been deleted and then recreated`
      )
      const wrongVersion = yield* expectApiError(
        configMaps.delete("guarded", { preconditions: { resourceVersion: "1" } })
      )
      assert.strictEqual(wrongVersion.code, 409)
      const deleted = yield* configMaps.delete("guarded", {
        preconditions: { uid: created.metadata?.uid ?? "", resourceVersion: created.metadata?.resourceVersion ?? "" }
      })
      assert.strictEqual(deleted._tag, "Deleted")
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("dryRun=All answers as if, stores nothing and bumps no resourceVersion", () =>
    Effect.gen(function* () {
      const fake = yield* FakeKube
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const before = yield* fake.resourceVersion
      const dry = yield* configMaps.create(configMap("dry"), { dryRun: true })
      assert.strictEqual(dry.metadata?.name, "dry")
      assert.isUndefined(dry.metadata?.resourceVersion)
      assert.strictEqual(yield* fake.resourceVersion, before)
      assert.isTrue(Option.isNone(yield* fake.get(ConfigMap, "dry", "default")))
      yield* configMaps.create(configMap("kept"))
      const after = yield* fake.resourceVersion
      yield* configMaps.delete("kept", { dryRun: true })
      assert.strictEqual(yield* fake.resourceVersion, after)
      assert.isTrue(Option.isSome(yield* fake.get(ConfigMap, "kept", "default")))
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect(
    "deleting a namespace makes it Terminating, refuses new content, deletes its objects, then removes it",
    () =>
      Effect.gen(function* () {
        const fake = yield* FakeKube
        const namespaces = yield* Api.cluster(Namespace)
        const configMaps = yield* Api.namespaced(ConfigMap, "team")
        const deleting = yield* namespaces.delete("team")
        assert.strictEqual(deleting._tag, "Deleting")
        if (deleting._tag === "Deleting") assert.strictEqual(deleting.object.status?.phase, "Terminating")
        const refused = yield* expectApiError(configMaps.create(configMap("late")))
        assert.strictEqual(refused.code, 403)
        assert.strictEqual(
          refused.status.message,
          'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated'
        )
        yield* eventually(fake.get(Namespace, "team"), Option.isNone)
        assert.deepStrictEqual(yield* fake.list(ConfigMap, "team"), [])
      }).pipe(
        Effect.provide(
          FakeKube.layer({
            objects: [
              { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "one", namespace: "team" } },
              { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "two", namespace: "team" } }
            ]
          })
        )
      )
  )

  it.effect("the garbage collector deletes dependents in the background and releases them on Orphan", () =>
    Effect.gen(function* () {
      const fake = yield* FakeKube
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const owner = yield* configMaps.create(configMap("owner"))
      const orphanOwner = yield* configMaps.create(configMap("orphan-owner"))
      const reference = (object: typeof owner) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        name: object.metadata?.name ?? "",
        uid: object.metadata?.uid ?? ""
      })
      yield* configMaps.create(configMap("child", { ownerReferences: [reference(owner)] }))
      yield* configMaps.create(configMap("grandchild", { ownerReferences: [{ ...reference(owner), name: "child" }] }))
      const child = yield* configMaps.get("child")
      yield* configMaps.replace("grandchild", {
        ...(yield* configMaps.get("grandchild")),
        metadata: {
          ...(yield* configMaps.get("grandchild")).metadata,
          ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "child", uid: child.metadata?.uid ?? "" }]
        }
      })
      yield* configMaps.create(configMap("released", { ownerReferences: [reference(orphanOwner)] }))
      yield* configMaps.delete("owner")
      yield* eventually(fake.get(ConfigMap, "grandchild", "default"), Option.isNone)
      assert.isTrue(Option.isNone(yield* fake.get(ConfigMap, "child", "default")))
      yield* configMaps.delete("orphan-owner", { propagationPolicy: "Orphan" })
      yield* eventually(fake.get(ConfigMap, "orphan-owner", "default"), Option.isNone)
      const released = yield* configMaps.get("released")
      assert.deepStrictEqual(released.metadata?.ownerReferences ?? [], [])
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("an unscheduled pod's delete answers with its last state, a config map delete with a Status", () =>
    Effect.gen(function* () {
      const pods = yield* Api.namespaced(Pod, "default")
      yield* pods.create({ metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } })
      const result = yield* pods.delete("p")
      assert.strictEqual(result._tag, "Deleted")
      assert.strictEqual(result.object?.metadata?.name, "p")
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create(configMap("c"))
      const status = yield* configMaps.delete("c")
      assert.strictEqual(status._tag, "Deleted")
      if (status._tag === "Deleted") assert.deepStrictEqual(status.status?.details?.kind, "configmaps")
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})

const widgets = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1 },
                  color: { type: "string", enum: ["red", "blue"] },
                  tags: { type: "array", items: { type: "string" } }
                }
              },
              status: { type: "object", properties: { ready: { type: "boolean" } } }
            }
          }
        }
      }
    ]
  }
}

const Widget = Resource.dynamic({
  group: "example.com",
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true
})

describe("custom resources", () => {
  it.effect("a CRD becomes Established and serves its kind with schema validation and pruning", () =>
    Effect.gen(function* () {
      const crds = yield* Api.cluster(CustomResourceDefinition)
      yield* crds.create(widgets)
      const established = yield* crds.get("widgets.example.com")
      assert.includeMembers(
        (established.status?.conditions ?? [])
          .filter((condition) => condition.status === "True")
          .map((condition) => condition.type),
        ["Established", "NamesAccepted"]
      )
      const items = yield* Api.namespaced(Widget, "default")
      const invalid = yield* expectApiError(
        items.create({
          apiVersion: "example.com/v1",
          kind: "Widget",
          metadata: { name: "w" },
          spec: { size: "big", color: "green", tags: [1] }
        })
      )
      assert.strictEqual(invalid.code, 422)
      assert.strictEqual(
        invalid.status.message,
        'Widget.example.com "w" is invalid: [spec.color: Unsupported value: "green": supported values: "red", "blue", spec.size: Invalid value: "string": spec.size in body must be of type integer: "string", spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer"]'
      )
      const created = yield* items.create({
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w" },
        spec: { size: 2, extra: true },
        status: { ready: true }
      })
      assert.deepStrictEqual(created.spec, { size: 2 })
      assert.isUndefined(created.status)
      assert.strictEqual(created.metadata?.generation, 1)
      const withStatus = yield* items.replaceStatus("w", { ...created, status: { ready: true } })
      assert.deepStrictEqual(withStatus.status, { ready: true })
      assert.strictEqual(withStatus.metadata?.generation, 1)
      const listed = yield* items.list()
      assert.strictEqual(listed.items[0]?.kind, "Widget")
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a version's selectableFields become field selectors; other fields are refused", () =>
    Effect.gen(function* () {
      const crds = yield* Api.cluster(CustomResourceDefinition)
      const versions = widgets.spec.versions.map((version) => ({
        ...version,
        selectableFields: [{ jsonPath: ".spec.color" }]
      }))
      yield* crds.create({ ...widgets, spec: { ...widgets.spec, versions } })
      const items = yield* Api.namespaced(Widget, "default")
      for (const [name, color] of [
        ["red-one", "red"],
        ["blue-one", "blue"]
      ] as const)
        yield* items.create({
          apiVersion: "example.com/v1",
          kind: "Widget",
          metadata: { name },
          spec: { size: 1, color }
        })
      const red = yield* items.list({ fieldSelector: "spec.color=red" })
      assert.deepStrictEqual(
        red.items.map((item) => item.metadata?.name),
        ["red-one"]
      )
      const refused = yield* expectApiError(items.list({ fieldSelector: "spec.size=1" }))
      assert.strictEqual(refused.code, 400)
      assert.strictEqual(refused.status.message, "field label not supported: spec.size")
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})

describe("watch extras", () => {
  it.effect("sendInitialEvents ends the initial ADDED events with the initial-events-end bookmark", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create(configMap("a"))
      yield* configMaps.create(configMap("b"))
      const events = yield* configMaps
        .watch({ sendInitialEvents: true, allowWatchBookmarks: true })
        .pipe(Stream.take(3), Stream.runCollect)
      assert.deepStrictEqual(
        events.map((event) => event.type),
        ["ADDED", "ADDED", "BOOKMARK"]
      )
      const last = events[2]
      assert.isTrue(last?.type === "BOOKMARK" && WatchEvent.isInitialEventsEnd(last.object))
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("allowWatchBookmarks watches get periodic bookmarks at the current resourceVersion", () =>
    Effect.gen(function* () {
      const fake = yield* FakeKube
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const list = yield* configMaps.list()
      const events = yield* configMaps
        .watch({ resourceVersion: list.metadata?.resourceVersion ?? "", allowWatchBookmarks: true })
        .pipe(Stream.take(1), Stream.runCollect)
      const bookmark = events[0]
      assert.strictEqual(bookmark?.type, "BOOKMARK")
      if (bookmark?.type === "BOOKMARK")
        assert.strictEqual(bookmark.object.metadata.resourceVersion, yield* fake.resourceVersion)
    }).pipe(Effect.provide(FakeKube.layer({ bookmarkInterval: "20 millis" })))
  )

  it.effect("metadata-only lists carry PartialObjectMetadata items", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create({ ...configMap("meta"), data: { big: "x".repeat(100) } })
      const list = yield* configMaps.listMetadata()
      assert.strictEqual(list.items[0]?.kind, "PartialObjectMetadata")
      assert.strictEqual(list.items[0]?.metadata?.name, "meta")
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})

describe("patch", () => {
  it.effect("a JSON patch tests a missing member as null, and a patch of a missing object is 404", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create(configMap("bare"))
      const added = yield* configMaps.patch(
        "bare",
        Patch.json([
          { op: "test", path: "/metadata/finalizers", value: null },
          { op: "add", path: "/metadata/finalizers", value: ["example.com/f"] }
        ])
      )
      assert.deepStrictEqual(added.metadata?.finalizers, ["example.com/f"])
      const present = yield* expectApiError(
        configMaps.patch("bare", Patch.json([{ op: "test", path: "/metadata/finalizers", value: null }]))
      )
      assert.strictEqual(present.code, 422)
      const missing = yield* expectApiError(
        configMaps.patch("absent", Patch.json([{ op: "test", path: "/metadata/name", value: "absent" }]))
      )
      assert.strictEqual(missing.code, 404)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect(
    "merge patch and JSON patch change the object; a failed JSON patch test is 422; SMP on a custom resource is 415",
    () =>
      Effect.gen(function* () {
        const configMaps = yield* Api.namespaced(ConfigMap, "default")
        const created = yield* configMaps.create({ ...configMap("patched"), data: { a: "1", b: "2" } })
        const merged = yield* configMaps.patch("patched", Patch.merge({ data: { b: null, c: "3" } }))
        assert.deepStrictEqual(merged.data, { a: "1", c: "3" })
        assert.isAbove(Number(merged.metadata?.resourceVersion), Number(created.metadata?.resourceVersion))
        const jsonPatched = yield* configMaps.patch(
          "patched",
          Patch.json([
            { op: "test", path: "/data/a", value: "1" },
            { op: "replace", path: "/data/a", value: "one" }
          ])
        )
        assert.deepStrictEqual(jsonPatched.data, { a: "one", c: "3" })
        const failedTest = yield* expectApiError(
          configMaps.patch("patched", Patch.json([{ op: "test", path: "/data/a", value: "1" }]))
        )
        assert.strictEqual(failedTest.code, 422)
        const stale = yield* expectApiError(
          configMaps.patch("patched", Patch.merge({ metadata: { resourceVersion: created.metadata?.resourceVersion } }))
        )
        assert.strictEqual(stale.code, 409)
        const crds = yield* Api.cluster(CustomResourceDefinition)
        yield* crds.create(widgets)
        const items = yield* Api.namespaced(Widget, "default")
        yield* items.create({
          apiVersion: "example.com/v1",
          kind: "Widget",
          metadata: { name: "w" },
          spec: { size: 1 }
        })
        const strategic = yield* expectApiError(items.patch("w", Patch.strategic({ spec: { size: 2 } })))
        assert.strictEqual(strategic.code, 415)
        assert.strictEqual(
          strategic.status.message,
          "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        )
        const resized = yield* items.patch("w", Patch.merge({ spec: { size: 2 } }))
        assert.strictEqual(resized.metadata?.generation, 2)
      }).pipe(Effect.provide(FakeKube.layer()))
  )
})
