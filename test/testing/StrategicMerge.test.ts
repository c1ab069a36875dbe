import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Deployment } from "../../src/api/apps/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Patch from "../../src/core/Patch.js"
import { FakeKube } from "../../src/testing/index.js"
import type { JsonObject } from "../../src/testing/internal/json.js"
import * as StrategicMerge from "../../src/testing/internal/patch/StrategicMerge.js"
import { type StatusBody, StatusFailure } from "../../src/testing/internal/status.js"
import { loopbackClient } from "../support/fakeKube.js"

const deploymentDefinition = "io.k8s.api.apps.v1.Deployment"

const container = (name: string, extra: JsonObject = {}) => ({ name, image: `${name}:1`, ...extra })

/** A Deployment's JSON with the given pod spec and metadata. */
const deployment = (podSpec: JsonObject, metadata: JsonObject = {}): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", ...metadata },
  spec: { selector: { matchLabels: { app: "web" } }, template: { spec: podSpec } }
})

const podSpecOf = (object: JsonObject): unknown => {
  const spec = object.spec
  if (typeof spec !== "object" || spec === null || !("template" in spec)) return undefined
  const template = spec.template
  return typeof template === "object" && template !== null && "spec" in template ? template.spec : undefined
}

const patchPodSpec = (live: JsonObject, podSpec: JsonObject) =>
  podSpecOf(StrategicMerge.apply(live, { spec: { template: { spec: podSpec } } }, deploymentDefinition))

const metadataOf = (object: JsonObject): unknown => object.metadata

const failureOf = (apply: () => unknown): StatusBody => {
  try {
    apply()
  } catch (error) {
    if (error instanceof StatusFailure) return error.status
    throw error
  }
  return assert.fail("the patch applied")
}

describe("StrategicMerge.apply", () => {
  it("merges containers by name, keeping the fields the patch does not name", () => {
    const live = deployment({
      containers: [container("app", { ports: [{ containerPort: 80 }] }), container("sidecar")]
    })
    assert.deepStrictEqual(
      patchPodSpec(live, { containers: [{ name: "sidecar", image: "sidecar:2" }, container("extra")] }),
      {
        containers: [
          container("app", { ports: [{ containerPort: 80 }] }),
          { name: "sidecar", image: "sidecar:2" },
          container("extra")
        ]
      }
    )
  })

  it("merges env by name and ports by containerPort inside a merged container", () => {
    const live = deployment({
      containers: [
        container("app", {
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" }
          ],
          ports: [{ containerPort: 80, name: "http" }]
        })
      ]
    })
    const patched = patchPodSpec(live, {
      containers: [
        {
          name: "app",
          env: [
            { name: "B", value: "3" },
            { name: "C", value: "4" }
          ],
          ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443 }]
        }
      ]
    })
    assert.deepStrictEqual(patched, {
      containers: [
        container("app", {
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "3" },
            { name: "C", value: "4" }
          ],
          ports: [{ containerPort: 80, name: "http", protocol: "TCP" }, { containerPort: 443 }]
        })
      ]
    })
  })

  it("puts an item the live list lacks before the server-only items, as the server does", () => {
    const live = deployment({ containers: [container("app"), container("sidecar")] })
    assert.deepStrictEqual(patchPodSpec(live, { containers: [container("first")] }), {
      containers: [container("first"), container("app"), container("sidecar")]
    })
  })

  it("unions lists of scalars with the merge strategy (finalizers)", () => {
    const live = deployment({}, { finalizers: ["a", "b"] })
    const union = StrategicMerge.apply(live, { metadata: { finalizers: ["b", "c"] } }, deploymentDefinition)
    assert.deepStrictEqual(metadataOf(union), { name: "web", finalizers: ["a", "b", "c"] })
    const added = StrategicMerge.apply(live, { metadata: { finalizers: ["c"] } }, deploymentDefinition)
    assert.deepStrictEqual(metadataOf(added), { name: "web", finalizers: ["c", "a", "b"] })
  })

  it("replaces other lists whole (container args)", () => {
    const live = deployment({ containers: [container("app", { args: ["--a", "--b"] })] })
    assert.deepStrictEqual(patchPodSpec(live, { containers: [{ name: "app", args: ["--c"] }] }), {
      containers: [container("app", { args: ["--c"] })]
    })
  })

  it("$patch: delete removes a list item by its merge key, $patch: replace replaces the list", () => {
    const live = deployment({ containers: [container("app"), container("sidecar")] })
    assert.deepStrictEqual(patchPodSpec(live, { containers: [{ name: "sidecar", $patch: "delete" }] }), {
      containers: [container("app")]
    })
    assert.deepStrictEqual(patchPodSpec(live, { containers: [container("only"), { $patch: "replace" }] }), {
      containers: [container("only")]
    })
  })

  it("$patch: replace and $patch: delete on a map", () => {
    const live = deployment({}, { labels: { a: "1", b: "2" }, annotations: { note: "x" } })
    const patched = StrategicMerge.apply(
      live,
      { metadata: { labels: { $patch: "replace", c: "3" }, annotations: { $patch: "delete" } } },
      deploymentDefinition
    )
    assert.deepStrictEqual(metadataOf(patched), { name: "web", labels: { c: "3" }, annotations: {} })
  })

  it("$setElementOrder orders the merged list, for maps and for scalars", () => {
    const live = deployment({ containers: [container("app"), container("sidecar")] }, { finalizers: ["a", "b"] })
    const patched = StrategicMerge.apply(
      live,
      {
        metadata: { "$setElementOrder/finalizers": ["c", "b", "a"], finalizers: ["c"] },
        spec: {
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "sidecar" }, { name: "app" }],
              containers: [{ name: "app", image: "app:2" }]
            }
          }
        }
      },
      deploymentDefinition
    )
    assert.deepStrictEqual(metadataOf(patched), { name: "web", finalizers: ["c", "b", "a"] })
    assert.deepStrictEqual(podSpecOf(patched), { containers: [container("sidecar"), { name: "app", image: "app:2" }] })
  })

  it("$setElementOrder places server-only items as the server's in-place merge leaves them", () => {
    // kubectl apply removing B and adding D next to S, which someone else added: the server answers A, S, D.
    const live = deployment({
      containers: [
        container("app", {
          env: [
            { name: "A", value: "a" },
            { name: "B", value: "b" },
            { name: "S", value: "s" }
          ]
        })
      ]
    })
    const patched = patchPodSpec(live, {
      containers: [
        {
          name: "app",
          "$setElementOrder/env": [{ name: "A" }, { name: "D" }],
          env: [
            { name: "D", value: "d" },
            { name: "B", $patch: "delete" }
          ]
        }
      ]
    })
    assert.deepStrictEqual(patched, {
      containers: [
        container("app", {
          env: [
            { name: "A", value: "a" },
            { name: "S", value: "s" },
            { name: "D", value: "d" }
          ]
        })
      ]
    })
  })

  it("$deleteFromPrimitiveList removes scalars from a list", () => {
    const live = deployment({}, { finalizers: ["a", "b", "c"] })
    const patched = StrategicMerge.apply(
      live,
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "missing"] } },
      deploymentDefinition
    )
    assert.deepStrictEqual(metadataOf(patched), { name: "web", finalizers: ["a", "c"] })
  })

  it("$retainKeys clears the live keys it does not name (deployment strategy, volume sources)", () => {
    const live: JsonObject = {
      ...deployment({ volumes: [{ name: "data", emptyDir: {} }] }),
      spec: {
        selector: {},
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
        template: { spec: { volumes: [{ name: "data", emptyDir: {} }] } }
      }
    }
    const patched = StrategicMerge.apply(
      live,
      {
        spec: {
          strategy: { $retainKeys: ["type"], type: "Recreate" },
          template: {
            spec: { volumes: [{ name: "data", $retainKeys: ["name", "configMap"], configMap: { name: "settings" } }] }
          }
        }
      },
      deploymentDefinition
    )
    assert.deepStrictEqual(patched.spec, {
      selector: {},
      strategy: { type: "Recreate" },
      template: { spec: { volumes: [{ name: "data", configMap: { name: "settings" } }] } }
    })
    const unnamed = failureOf(() =>
      StrategicMerge.apply(
        live,
        { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: {} } } },
        deploymentDefinition
      )
    )
    assert.deepStrictEqual(
      [unnamed.code, unnamed.reason, unnamed.message],
      [400, "BadRequest", "invalid patch format of retainKeys"]
    )
  })

  it("null deletes a field; a new value is added without its nulls", () => {
    const live = deployment({ containers: [container("app")], hostname: "h" }, { labels: { keep: "1", drop: "1" } })
    const patched = StrategicMerge.apply(
      live,
      {
        metadata: { labels: { drop: null, added: "1" } },
        spec: { template: { spec: { hostname: null, securityContext: { runAsUser: 1, runAsGroup: null } } } }
      },
      deploymentDefinition
    )
    assert.deepStrictEqual(metadataOf(patched), { name: "web", labels: { keep: "1", added: "1" } })
    assert.deepStrictEqual(podSpecOf(patched), { containers: [container("app")], securityContext: { runAsUser: 1 } })
  })

  it("merges fields without metadata (unknown to the spec) as a JSON merge patch", () => {
    const live: JsonObject = { extra: { a: 1, b: 2, list: [1, 2] } }
    assert.deepStrictEqual(StrategicMerge.apply(live, { extra: { b: null, c: 3, list: [3] } }, deploymentDefinition), {
      extra: { a: 1, c: 3, list: [3] }
    })
    assert.deepStrictEqual(live, { extra: { a: 1, b: 2, list: [1, 2] } }, "the live object is not changed")
  })

  it("fails as the server does: 500 for a missing merge key or $patch: merge, 400 for a bad directive, 422 for a list of lists", () => {
    const live = deployment({ containers: [container("app")] }, { finalizers: [] })
    const noKey = failureOf(() => patchPodSpec(live, { containers: [{ image: "x:1" }] }))
    assert.deepStrictEqual(noKey, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "map: map[image:x:1] does not contain declared merge key: name",
      code: 500
    })
    const merge = failureOf(() => patchPodSpec(live, { containers: [{ name: "app", $patch: "merge" }] }))
    assert.deepStrictEqual([merge.code, merge.message], [500, "merging lists cannot yet be specified in the patch"])
    const unknownDirective = failureOf(() => patchPodSpec(live, { containers: [{ name: "app", $patch: "keep" }] }))
    assert.strictEqual(unknownDirective.message, "unknown patch type: keep in map: map[$patch:keep name:app]")
    const badOrder = failureOf(() =>
      StrategicMerge.apply(live, { metadata: { $setElementOrderfinalizers: [] } }, deploymentDefinition)
    )
    assert.deepStrictEqual(
      [badOrder.code, badOrder.reason, badOrder.message],
      [400, "BadRequest", "invalid patch format of setElementOrder list"]
    )
    const listOfLists = failureOf(() =>
      StrategicMerge.apply(live, { metadata: { finalizers: [["a"]] } }, deploymentDefinition)
    )
    assert.deepStrictEqual([listOfLists.code, listOfLists.reason], [422, "Invalid"])
    const notAnObject = failureOf(() => StrategicMerge.apply(live, [], deploymentDefinition))
    assert.deepStrictEqual(
      [notAnObject.code, notAnObject.message],
      [400, "json: cannot unmarshal array into Go value of type map[string]interface {}"]
    )
  })
})

describe("strategic merge patch in FakeKube", () => {
  it.effect("the scale subresource takes a strategic merge patch of its Scale", () =>
    Effect.gen(function* () {
      const deployments = yield* Api.namespaced(Deployment, "default")
      yield* deployments.create({
        metadata: { name: "scaled" },
        spec: {
          selector: { matchLabels: { app: "scaled" } },
          template: { metadata: { labels: { app: "scaled" } }, spec: { containers: [container("app")] } }
        }
      })
      const scale = yield* deployments.patchScale("scaled", Patch.strategic({ spec: { replicas: 4 } }))
      assert.strictEqual(scale.spec?.replicas, 4)
      assert.strictEqual((yield* deployments.get("scaled")).spec?.replicas, 4)
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})

describe("strategic merge patch over FakeKube's loopback server", () => {
  it.live("a Deployment patch merges containers by name", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const images = yield* Effect.gen(function* () {
        const deployments = yield* Api.namespaced(Deployment, "default")
        yield* deployments.create({
          metadata: { name: "web" },
          spec: {
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: { containers: [container("app"), container("sidecar")] }
            }
          }
        })
        const imagesOf = (object: Deployment) =>
          (object.spec?.template.spec?.containers ?? []).map((item) => `${item.name}=${item.image}`)
        const merged = yield* deployments.patch(
          "web",
          Patch.strategic({
            spec: { template: { spec: { containers: [{ name: "sidecar", image: "sidecar:2" }, container("extra")] } } }
          })
        )
        const deleted = yield* deployments.patch(
          "web",
          Patch.strategic({ spec: { template: { spec: { containers: [{ name: "app", $patch: "delete" }] } } } })
        )
        return { merged: imagesOf(merged), deleted: imagesOf(deleted) }
      }).pipe(Effect.provide(loopbackClient(server)))
      assert.deepStrictEqual(images, {
        merged: ["app=app:1", "sidecar=sidecar:2", "extra=extra:1"],
        deleted: ["sidecar=sidecar:2", "extra=extra:1"]
      })
    }).pipe(Effect.scoped)
  )
})
