/**
 * Custom resources: a CustomResourceDefinition is created and waited for
 * until Established; its objects are then created, read, patched and
 * deleted through a dynamic descriptor, with the status subresource
 * (status writes leave spec alone and spec writes leave status alone),
 * structural-schema validation and pruning, the 415 a strategic merge patch
 * gets, and the 410 Expired of a watch from a resourceVersion older than the
 * server keeps.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { CustomResourceDefinition } from "../../src/api/apiextensions/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Patch from "../../src/core/Patch.js"
import * as Resource from "../../src/core/Resource.js"
import { conformanceLayer, eventually, expectApiError, TestNamespace, uniqueName } from "./support.js"

const group = `${uniqueName("w")}.conformance.example.com`

const Widget = Resource.dynamic({
  group,
  version: "v1",
  kind: "Widget",
  plural: "widgets",
  namespaced: true,
  subresources: ["status"]
})

const definition: CustomResourceDefinition = {
  metadata: { name: `widgets.${group}` },
  spec: {
    group,
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
                properties: { size: { type: "integer", minimum: 1 }, color: { type: "string" } }
              },
              status: { type: "object", properties: { ready: { type: "boolean" } } }
            }
          }
        }
      }
    ]
  }
}

/** The CRD, created for this file, Established before any test runs, deleted afterwards. */
const widgetsLayer = Layer.effectDiscard(
  Effect.gen(function* () {
    const definitions = yield* Api.cluster(CustomResourceDefinition)
    const name = definition.metadata?.name ?? ""
    yield* Effect.acquireRelease(definitions.create(definition), () => Effect.ignore(definitions.delete(name)))
    yield* eventually(
      "the CRD to be Established",
      Effect.map(definitions.get(name), (current) =>
        (current.status?.conditions ?? []).some(
          (condition) => condition.type === "Established" && condition.status === "True"
        )
      )
    )
  })
)

const widgets = TestNamespace.use(({ name }) => Api.namespaced(Widget, name))

layer(Layer.provideMerge(widgetsLayer, conformanceLayer("custom")), { excludeTestServices: true })(
  "custom resources",
  (it) => {
    it.effect("custom objects are created, read, listed, patched and deleted", () =>
      Effect.gen(function* () {
        const api = yield* widgets
        const { name: namespace } = yield* TestNamespace
        const name = uniqueName("widget")
        const created = yield* api.create({ metadata: { name }, spec: { size: 2, color: "red" } })
        assert.strictEqual(created.apiVersion, `${group}/v1`)
        assert.strictEqual(created.kind, "Widget")
        assert.strictEqual(created.metadata?.namespace, namespace)
        assert.strictEqual(created.metadata?.generation, 1)
        assert.deepStrictEqual(created.spec, { size: 2, color: "red" })

        const listed = yield* api.list()
        assert.include(
          listed.items.map((item) => item.metadata?.name),
          name
        )
        const patched = yield* api.patch(name, Patch.merge({ spec: { color: "blue" } }))
        assert.deepStrictEqual(patched.spec, { size: 2, color: "blue" })
        assert.strictEqual(patched.metadata?.generation, 2)
        const jsonPatched = yield* api.patch(name, Patch.json([{ op: "replace", path: "/spec/size", value: 5 }]))
        assert.deepStrictEqual(jsonPatched.spec, { size: 5, color: "blue" })

        const deleted = yield* api.delete(name)
        assert.strictEqual(deleted._tag, "Deleted")
        const missing = yield* expectApiError(api.get(name))
        assert.isTrue(missing.isNotFound)
        assert.strictEqual(missing.status.details?.kind, "widgets")
        assert.strictEqual(missing.status.details?.group, group)
      })
    )

    it.effect("the status subresource: status writes keep spec, spec writes keep status", () =>
      Effect.gen(function* () {
        const api = yield* widgets
        const name = uniqueName("widget")
        yield* api.create({ metadata: { name }, spec: { size: 1 }, status: { ready: true } })
        const created = yield* api.get(name)
        assert.isUndefined(created.status, "status on create is dropped when the status subresource is on")

        const statusWritten = yield* api.patchStatus(name, Patch.merge({ spec: { size: 9 }, status: { ready: true } }))
        assert.deepStrictEqual(statusWritten.status, { ready: true })
        assert.deepStrictEqual(statusWritten.spec, { size: 1 }, "a status write ignores spec")
        assert.strictEqual(statusWritten.metadata?.generation, 1, "a status write keeps the generation")

        const specWritten = yield* api.replace(name, { ...statusWritten, spec: { size: 3 }, status: { ready: false } })
        assert.deepStrictEqual(specWritten.spec, { size: 3 })
        assert.deepStrictEqual(specWritten.status, { ready: true }, "a main-resource write ignores status")
        assert.strictEqual(specWritten.metadata?.generation, 2)

        const replacedStatus = yield* api.replaceStatus(name, { ...specWritten, status: { ready: false } })
        assert.deepStrictEqual(replacedStatus.status, { ready: false })
        assert.deepStrictEqual((yield* api.getStatus(name)).status, { ready: false })
      })
    )

    it.effect("the structural schema validates (422 with the field) and prunes unknown fields", () =>
      Effect.gen(function* () {
        const api = yield* widgets
        const name = uniqueName("widget")
        const invalid = yield* expectApiError(api.create({ metadata: { name }, spec: { size: 0, color: 7 } }))
        assert.strictEqual(invalid.code, 422)
        assert.isTrue(invalid.isInvalid)
        assert.strictEqual(invalid.status.details?.kind, "Widget")
        assert.strictEqual(invalid.status.details?.group, group)
        assert.sameMembers(
          (invalid.status.details?.causes ?? []).map((cause) => `${cause.reason} ${cause.field}`),
          ["FieldValueInvalid spec.size", "FieldValueTypeInvalid spec.color"]
        )
        const pruned = yield* api.create({ metadata: { name }, spec: { size: 1, unknownField: "dropped" } })
        assert.deepStrictEqual(pruned.spec, { size: 1 })
      })
    )

    it.effect("a strategic merge patch of a custom object is 415 UnsupportedMediaType; apply works", () =>
      Effect.gen(function* () {
        const api = yield* widgets
        const name = uniqueName("widget")
        yield* api.create({ metadata: { name }, spec: { size: 1 } })
        const unsupported = yield* expectApiError(api.patch(name, Patch.strategic({ spec: { size: 2 } })))
        assert.strictEqual(unsupported.code, 415)
        assert.strictEqual(unsupported.reason, "UnsupportedMediaType")
        const applied = yield* api.apply(
          name,
          { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name }, spec: { color: "green" } },
          { fieldManager: "painter" }
        )
        assert.deepStrictEqual(applied.spec, { size: 1, color: "green" })
        const conflict = yield* expectApiError(
          api.apply(
            name,
            { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name }, spec: { color: "black" } },
            { fieldManager: "other" }
          )
        )
        assert.strictEqual(conflict.code, 409)
        assert.deepStrictEqual(
          conflict.status.details?.causes?.map((cause) => cause.field),
          [".spec.color"]
        )
      })
    )

    it.effect("a watch from a resourceVersion older than the server keeps fails with a typed 410 Expired", () =>
      Effect.gen(function* () {
        const api = yield* widgets
        // The watch cache of a kind starts when the kind is first served, so the first
        // resourceVersion of the cluster is outside its window: the answer is an ERROR event.
        const error = yield* expectApiError(Stream.runDrain(api.watch({ resourceVersion: "1", timeoutSeconds: 10 })))
        assert.strictEqual(error.code, 410)
        assert.isTrue(error.isGone)
        assert.strictEqual(error.reason, "Expired")
        assert.match(error.status.message ?? "", /^too old resource version: 1 \(\d+\)$/)
      })
    )
  }
)
