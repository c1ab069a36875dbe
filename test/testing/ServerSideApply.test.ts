import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Deployment } from "../../src/api/apps/v1.js"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import type * as KubeClient from "../../src/client/KubeClient.js"
import * as Patch from "../../src/core/Patch.js"
import { FakeKube } from "../../src/testing/index.js"
import { isRecord, type JsonObject, recordAt } from "../../src/testing/internal/json.js"
import * as ManagedFields from "../../src/testing/internal/patch/ManagedFields.js"
import * as ServerSideApply from "../../src/testing/internal/patch/ServerSideApply.js"
import * as Patching from "../../src/testing/internal/patching.js"
import { builtInTypes } from "../../src/testing/internal/resourceTypes.js"
import { StatusFailure } from "../../src/testing/internal/status.js"
import { expectApiError } from "../support/client.js"
import { loopbackClient } from "../support/fakeKube.js"

const targetOf = (apiVersion: string, kind: string) => {
  const type = builtInTypes.find((candidate) => candidate.apiVersion === apiVersion && candidate.kind === kind)
  if (type === undefined) throw new Error(`no built-in ${apiVersion} ${kind}`)
  return ServerSideApply.targetOf(type)
}

const configMaps = targetOf("v1", "ConfigMap")
const deployments = targetOf("apps/v1", "Deployment")

const configMap = (data: JsonObject): JsonObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "default" },
  data
})

const apply = (
  live: JsonObject | undefined,
  configuration: JsonObject,
  manager: string,
  options: { readonly force?: boolean; readonly target?: ServerSideApply.Target; readonly now?: string } = {}
) =>
  ServerSideApply.apply({
    target: options.target ?? configMaps,
    live,
    configuration,
    manager,
    subresource: undefined,
    force: options.force ?? false,
    now: options.now ?? "2026-01-01T00:00:00Z"
  })

const update = (
  before: JsonObject | undefined,
  after: JsonObject,
  manager: string,
  options: {
    readonly subresource?: string
    readonly requested?: unknown
    readonly now?: string
    readonly target?: ServerSideApply.Target
  } = {}
) =>
  ServerSideApply.recordUpdate({
    target: options.target ?? configMaps,
    before,
    after,
    requested: options.requested,
    manager,
    subresource: options.subresource,
    now: options.now ?? "2026-01-01T00:00:00Z"
  })

const entries = (object: JsonObject): ReadonlyArray<JsonObject> => {
  const value = recordAt(object, "metadata").managedFields
  return Array.isArray(value) ? value.filter(isRecord) : []
}

const containersOf = (object: JsonObject): ReadonlyArray<JsonObject> => {
  const value = recordAt(recordAt(recordAt(object, "spec"), "template"), "spec").containers
  return Array.isArray(value) ? value.filter(isRecord) : []
}

const fieldsOf = (object: JsonObject, manager: string): unknown =>
  entries(object).find((entry) => entry.manager === manager)?.fieldsV1

/** The `Status` an engine call throws. */
const statusOf = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    if (error instanceof StatusFailure) return error.status
    throw error
  }
  throw new Error("expected a Status failure")
}

describe("ManagedFields (FieldsV1 sets)", () => {
  const encoded = {
    "f:data": { ".": {}, "f:a": {} },
    "f:metadata": { "f:finalizers": { 'v:"example.com/cleanup"': {} } },
    "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:image": {} } } }
  }

  it("decodes and encodes FieldsV1, with `.` for a path that is in the set and has children", () => {
    const set = ManagedFields.fromFieldsV1(encoded)
    assert.isDefined(set)
    if (set === undefined) return
    assert.deepStrictEqual(ManagedFields.toFieldsV1(set), encoded)
    assert.deepStrictEqual(ManagedFields.paths(set).map(ManagedFields.pathString), [
      ".data",
      ".data.a",
      '.metadata.finalizers[="example.com/cleanup"]',
      '.spec.containers[name="app"]',
      '.spec.containers[name="app"].image'
    ])
    assert.isUndefined(ManagedFields.fromFieldsV1({ "x:bad": {} }))
    assert.isUndefined(ManagedFields.fromFieldsV1({ "f:a": "not an object" }))
  })

  it("takes unions, differences and intersections path by path", () => {
    const left = ManagedFields.fromFieldsV1({ "f:data": { "f:a": {}, "f:b": {} } }) ?? ManagedFields.empty
    const right = ManagedFields.fromFieldsV1({ "f:data": { ".": {}, "f:b": {}, "f:c": {} } }) ?? ManagedFields.empty
    assert.deepStrictEqual(ManagedFields.toFieldsV1(ManagedFields.union(left, right)), {
      "f:data": { ".": {}, "f:a": {}, "f:b": {}, "f:c": {} }
    })
    // `.data` in `right` does not take away the paths below it.
    assert.deepStrictEqual(ManagedFields.toFieldsV1(ManagedFields.difference(left, right)), { "f:data": { "f:a": {} } })
    assert.deepStrictEqual(ManagedFields.toFieldsV1(ManagedFields.intersection(left, right)), {
      "f:data": { "f:b": {} }
    })
    assert.isTrue(ManagedFields.isEmpty(ManagedFields.difference(left, left)))
  })

  it("keys map-list items by their sorted key fields", () => {
    assert.strictEqual(
      ManagedFields.keyElement({ protocol: "TCP", containerPort: 80 }),
      'k:{"containerPort":80,"protocol":"TCP"}'
    )
    assert.strictEqual(
      ManagedFields.pathString(["f:ports", ManagedFields.keyElement({ protocol: "TCP", containerPort: 80 })]),
      '.ports[containerPort=80,protocol="TCP"]'
    )
  })
})

describe("ServerSideApply.apply", () => {
  it("creates: the applier's Apply entry holds exactly the applied fields, not apiVersion, kind or name", () => {
    const created = apply(undefined, configMap({ a: "1", b: "2" }), "alice")
    assert.deepStrictEqual(created.data, { a: "1", b: "2" })
    assert.deepStrictEqual(entries(created), [
      {
        manager: "alice",
        operation: "Apply",
        apiVersion: "v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } }
      }
    ])
  })

  it("a re-apply removes the fields it no longer applies, unless another manager owns them", () => {
    const created = apply(undefined, configMap({ a: "1", b: "2", shared: "x" }), "alice")
    const shared = apply(created, configMap({ shared: "x" }), "bob")
    const reapplied = apply(shared, configMap({ a: "1" }), "alice")
    assert.deepStrictEqual(reapplied.data, { a: "1", shared: "x" })
    assert.deepStrictEqual(fieldsOf(reapplied, "alice"), { "f:data": { "f:a": {} } })
    assert.deepStrictEqual(fieldsOf(reapplied, "bob"), { "f:data": { "f:shared": {} } })
    // Applying nothing gives up every field and the entry.
    const emptied = apply(reapplied, configMap({}), "alice")
    assert.deepStrictEqual(emptied.data, { shared: "x" })
  })

  it("a changed value of another manager's field is a 409 worded as the server words it", () => {
    const created = update(undefined, configMap({ shared: "bob", a: "1", b: "2" }), "bob")
    const one = statusOf(() => apply(created, configMap({ shared: "alice" }), "alice"))
    assert.strictEqual(one.code, 409)
    assert.strictEqual(one.reason, "Conflict")
    assert.strictEqual(one.message, 'Apply failed with 1 conflict: conflict with "bob" using v1: .data.shared')
    assert.deepStrictEqual(one.details, {
      causes: [{ reason: "FieldManagerConflict", message: 'conflict with "bob" using v1', field: ".data.shared" }]
    })
    const applied = apply(created, configMap({ x: "1" }), "carol")
    const several = statusOf(() => apply(applied, configMap({ a: "9", b: "9", x: "9" }), "alice"))
    assert.strictEqual(
      several.message,
      'Apply failed with 3 conflicts: conflicts with "bob" using v1:\n- .data.a\n- .data.b\nconflicts with "carol":\n- .data.x'
    )
    assert.deepStrictEqual(
      several.details?.causes?.map((cause) => `${cause.message} ${cause.field}`),
      ['conflict with "bob" using v1 .data.a', 'conflict with "bob" using v1 .data.b', 'conflict with "carol" .data.x']
    )
  })

  it("force takes the conflicting fields from their owner", () => {
    const created = apply(undefined, configMap({ shared: "alice", own: "alice" }), "alice")
    const forced = apply(created, configMap({ shared: "bob" }), "bob", { force: true })
    assert.deepStrictEqual(forced.data, { shared: "bob", own: "alice" })
    assert.deepStrictEqual(fieldsOf(forced, "alice"), { "f:data": { "f:own": {} } })
    assert.deepStrictEqual(fieldsOf(forced, "bob"), { "f:data": { "f:shared": {} } })
  })

  it("the same value applied by two managers is owned by both, without conflict", () => {
    const created = apply(undefined, configMap({ shared: "same" }), "alice")
    const shared = apply(created, configMap({ shared: "same" }), "bob")
    assert.deepStrictEqual(fieldsOf(shared, "alice"), { "f:data": { "f:shared": {} } })
    assert.deepStrictEqual(fieldsOf(shared, "bob"), { "f:data": { "f:shared": {} } })
    // Now neither can change it alone.
    const conflict = statusOf(() => apply(shared, configMap({ shared: "changed" }), "alice"))
    assert.strictEqual(conflict.message, 'Apply failed with 1 conflict: conflict with "bob": .data.shared')
  })

  it("an object nobody tracks is first owned by before-first-apply, so an apply can conflict with it", () => {
    const seeded = configMap({ a: "1" })
    const conflict = statusOf(() => apply(seeded, configMap({ a: "2" }), "alice"))
    assert.strictEqual(
      conflict.message,
      'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a'
    )
    const applied = apply(seeded, configMap({ b: "2" }), "alice")
    assert.deepStrictEqual(
      entries(applied).map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
      [
        ["alice", "Apply", { "f:data": { "f:b": {} } }],
        ["before-first-apply", "Update", { "f:data": { ".": {}, "f:a": {} } }]
      ]
    )
  })

  it("an identical re-apply keeps the entry's time", () => {
    const created = apply(undefined, configMap({ a: "1" }), "alice", { now: "2026-01-01T00:00:00Z" })
    const again = apply(created, configMap({ a: "1" }), "alice", { now: "2026-02-02T00:00:00Z" })
    assert.deepStrictEqual(again, created)
  })

  const deployment = (containers: ReadonlyArray<JsonObject>, args?: ReadonlyArray<string>): JsonObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      template: {
        spec: {
          containers: containers.map((container) => (args === undefined ? container : { ...container, args }))
        }
      }
    }
  })

  const container = (name: string): JsonObject => ({ name, image: `${name}:1` })

  /** A Deployment with these containers, created by the Update of "kubectl". */
  const createdByKubectl = (names: ReadonlyArray<string>) =>
    update(undefined, deployment(names.map(container)), "kubectl", { target: deployments })

  it("merges map-list items (containers) by their key and owns them by key", () => {
    const live = createdByKubectl(["app", "sidecar"])
    const applied = apply(
      live,
      deployment([{ name: "sidecar", image: "sidecar:1", imagePullPolicy: "Always" }]),
      "ops",
      {
        target: deployments
      }
    )
    assert.deepStrictEqual(containersOf(applied), [
      { name: "app", image: "app:1" },
      { name: "sidecar", image: "sidecar:1", imagePullPolicy: "Always" }
    ])
    assert.deepStrictEqual(fieldsOf(applied, "ops"), {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": {
              'k:{"name":"sidecar"}': { ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {} }
            }
          }
        }
      }
    })
    const conflict = statusOf(() =>
      apply(live, deployment([{ name: "app", image: "app:2" }]), "ops", { target: deployments })
    )
    assert.strictEqual(
      conflict.message,
      'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.template.spec.containers[name="app"].image'
    )
    // A container the applier added and then stops applying is removed.
    const added = apply(live, deployment([{ name: "extra", image: "extra:1" }]), "ops", { target: deployments })
    const dropped = apply(added, deployment([]), "ops", { target: deployments })
    assert.deepStrictEqual(
      containersOf(dropped).map((container) => container.name),
      ["app", "sidecar"]
    )
  })

  it("weaves live-only items around the applied ones in the order structured-merge-diff gives", () => {
    const live = createdByKubectl(["a", "b", "c"])
    const applied = apply(live, deployment([container("c"), container("a")]), "ops", { target: deployments })
    assert.deepStrictEqual(
      containersOf(applied).map((container) => container.name),
      ["b", "c", "a"]
    )
  })

  it("replaces atomic lists whole and owns them as one field", () => {
    const live = apply(undefined, deployment([{ name: "app", image: "app:1" }], ["a", "b"]), "ops", {
      target: deployments
    })
    const replaced = apply(live, deployment([{ name: "app", image: "app:1" }], ["c"]), "ops", { target: deployments })
    assert.deepStrictEqual(containersOf(replaced)[0]?.args, ["c"])
    assert.deepStrictEqual(fieldsOf(replaced, "ops"), {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:args": {}, "f:image": {}, "f:name": {} } }
          }
        }
      }
    })
  })

  it("an applied configuration of another kind or version, or with managedFields, is the server's 400", () => {
    const status = statusOf(() => apply(undefined, { ...configMap({}), apiVersion: "v2" }, "alice"))
    assert.strictEqual(status.code, 400)
    assert.strictEqual(status.message, "invalid object type: /v2, Kind=ConfigMap")
    const bare = statusOf(() => apply(undefined, { data: { a: "1" } }, "alice"))
    assert.strictEqual(bare.message, "invalid object type: /, Kind=")
    const withManagedFields = { ...configMap({}), metadata: { name: "settings", managedFields: [] } }
    assert.strictEqual(
      statusOf(() => apply(undefined, withManagedFields, "alice")).message,
      "metadata.managedFields must be nil"
    )
  })

  it("a map-list item without its key field is rejected", () => {
    const status = statusOf(() => apply(undefined, deployment([{ image: "app:1" }]), "ops", { target: deployments }))
    assert.strictEqual(status.code, 500)
    assert.include(status.message, 'associative list with keys has an element that omits key field "name"')
  })

  it("reads list and map semantics of a custom resource from its CRD schema", () => {
    const target: ServerSideApply.Target = {
      shape: ServerSideApply.shapeOf({
        custom: true,
        definition: undefined,
        openApiSchema: {
          type: "object",
          properties: {
            spec: {
              type: "object",
              properties: {
                ports: {
                  type: "array",
                  "x-kubernetes-list-type": "map",
                  "x-kubernetes-list-map-keys": ["port"],
                  items: { type: "object", properties: { port: { type: "integer" }, name: { type: "string" } } }
                },
                selector: { type: "object", "x-kubernetes-map-type": "atomic" }
              }
            }
          }
        }
      }),
      apiVersion: "example.com/v1",
      kind: "Widget",
      statusSubresource: true
    }
    const widget = (spec: JsonObject): JsonObject => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec
    })
    const first = apply(undefined, widget({ ports: [{ port: 80, name: "http" }], selector: { a: "1" } }), "one", {
      target
    })
    const second = apply(first, widget({ ports: [{ port: 443 }], selector: { b: "2" } }), "two", {
      target,
      force: true
    })
    assert.deepStrictEqual(second.spec, { ports: [{ port: 80, name: "http" }, { port: 443 }], selector: { b: "2" } })
    assert.deepStrictEqual(fieldsOf(second, "one"), {
      "f:spec": { "f:ports": { 'k:{"port":80}': { ".": {}, "f:name": {}, "f:port": {} } } }
    })
    assert.deepStrictEqual(fieldsOf(second, "two"), {
      "f:spec": { "f:ports": { 'k:{"port":443}': { ".": {}, "f:port": {} } }, "f:selector": {} }
    })
  })
})

describe("apply through the PATCH verb", () => {
  it("an apply without a fieldManager is the server's 422 on PatchOptions", () => {
    const type = builtInTypes.find((candidate) => candidate.apiVersion === "v1" && candidate.kind === "ConfigMap")
    if (type === undefined) throw new Error("no ConfigMap")
    const status = statusOf(() =>
      Patching.patch({
        type,
        contentType: Patching.applyContentType,
        live: undefined,
        body: "data:\n  a: '1'\n",
        manager: "",
        force: false,
        subresource: undefined,
        now: "2026-01-01T00:00:00Z"
      })
    )
    assert.strictEqual(status.code, 422)
    assert.strictEqual(
      status.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    assert.deepStrictEqual(status.details?.causes, [
      { reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager" }
    ])
  })
})

describe("ServerSideApply.recordUpdate", () => {
  it("a create records an Update entry owning every field it set, labels with `.`", () => {
    const created = update(
      undefined,
      { ...configMap({ a: "1" }), metadata: { name: "settings", labels: { app: "x" } } },
      "kubectl"
    )
    assert.deepStrictEqual(entries(created), [
      {
        manager: "kubectl",
        operation: "Update",
        apiVersion: "v1",
        time: "2026-01-01T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:a": {} }, "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } }
      }
    ])
  })

  it("an update takes the fields it changed from other managers, drops removed fields and empty entries", () => {
    const created = update(undefined, configMap({ a: "1", b: "2" }), "creator")
    const changed = update(created, configMap({ a: "9", b: "2", c: "3" }), "editor", { now: "2026-01-02T00:00:00Z" })
    assert.deepStrictEqual(fieldsOf(changed, "creator"), { "f:data": { ".": {}, "f:b": {} } })
    assert.deepStrictEqual(fieldsOf(changed, "editor"), { "f:data": { "f:a": {}, "f:c": {} } })
    const removed = update(changed, configMap({ b: "2" }), "editor", { now: "2026-01-03T00:00:00Z" })
    assert.deepStrictEqual(
      entries(removed).map((entry) => entry.manager),
      ["creator"]
    )
    // A write that changes nothing keeps managedFields as they are.
    assert.deepStrictEqual(update(removed, removed, "someone", { now: "2026-01-04T00:00:00Z" }), removed)
  })

  it("managedFields sent with an update replace the stored ones; an empty list clears them", () => {
    const created = update(undefined, configMap({ a: "1" }), "creator")
    const cleared = update(created, configMap({ a: "1" }), "editor", { requested: [] })
    assert.deepStrictEqual(entries(cleared), [])
    const kept = update(created, configMap({ a: "1" }), "editor", { requested: undefined })
    assert.deepStrictEqual(entries(kept), entries(created))
    // Once cleared, updates do not start tracking again (only an apply does).
    const untracked = update(cleared, configMap({ a: "2" }), "editor")
    assert.deepStrictEqual(entries(untracked), [])
  })

  it("a status write records its own entry with the subresource and owns only status", () => {
    const live = update(undefined, { ...configMap({}), status: { phase: "A" } }, "creator")
    const written = ServerSideApply.recordUpdate({
      target: deployments,
      before: { ...live, apiVersion: "apps/v1", kind: "Deployment" },
      after: { ...live, apiVersion: "apps/v1", kind: "Deployment", status: { phase: "B" } },
      requested: undefined,
      manager: "controller",
      subresource: "status",
      now: "2026-01-02T00:00:00Z"
    })
    assert.deepStrictEqual(
      entries(written).find((entry) => entry.manager === "controller"),
      {
        manager: "controller",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2026-01-02T00:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:status": { "f:phase": {} } },
        subresource: "status"
      }
    )
  })
})

/** Runs `body` with the project's client against a fresh FakeKube loopback server. */
const overLoopback = <A, E>(body: Effect.Effect<A, E, KubeClient.KubeClient>) =>
  Effect.gen(function* () {
    const server = yield* FakeKube.serve()
    return yield* body.pipe(Effect.provide(loopbackClient(server)))
  }).pipe(Effect.scoped)

const webSpec = {
  selector: { matchLabels: { app: "web" } },
  template: {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] }
  }
}

describe("server-side apply over FakeKube's loopback server", () => {
  it.live("validates PatchOptions as the server does: apply needs a fieldManager, force is apply's alone", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const patch = (query: string, contentType: string) =>
        Effect.promise(async () => {
          const response = await fetch(`${server.url}/api/v1/namespaces/default/configmaps/settings?${query}`, {
            method: "PATCH",
            headers: { "content-type": contentType },
            body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } })
          })
          const body: unknown = await response.json()
          return { code: response.status, message: isRecord(body) ? body.message : undefined }
        })
      assert.deepStrictEqual(yield* patch("", "application/apply-patch+yaml"), {
        code: 422,
        message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
      })
      assert.deepStrictEqual(yield* patch("force=false", "application/merge-patch+json"), {
        code: 422,
        message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
      })
      const created = yield* patch("fieldManager=curl&force=true", "application/apply-patch+yaml")
      assert.strictEqual(created.code, 201)
    }).pipe(Effect.scoped)
  )

  it.live("records Apply and Update entries, reports conflicts and lets force or an update take fields", () =>
    overLoopback(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(ConfigMap, "default")
        const created = yield* api.create({ metadata: { name: "settings" }, data: { mode: "fast" } })
        assert.deepStrictEqual(
          created.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
          [["effect-kube", "Update", { "f:data": { ".": {}, "f:mode": {} } }]]
        )
        const conflict = yield* expectApiError(
          api.apply("settings", { metadata: { name: "settings" }, data: { mode: "slow" } }, { fieldManager: "ops" })
        )
        assert.strictEqual(conflict.code, 409)
        assert.strictEqual(
          conflict.status.message,
          'Apply failed with 1 conflict: conflict with "effect-kube" using v1: .data.mode'
        )
        const forced = yield* api.apply(
          "settings",
          { metadata: { name: "settings" }, data: { mode: "slow" } },
          { fieldManager: "ops", force: true }
        )
        assert.deepStrictEqual(
          forced.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
          [
            ["ops", "Apply", { "f:data": { "f:mode": {} } }],
            // The creator keeps `.data` itself (FieldsV1 writes a path with nothing below it as `{}`).
            ["effect-kube", "Update", { "f:data": {} }]
          ]
        )
        const edited = yield* api.patch("settings", Patch.merge({ data: { mode: "edited" } }), {
          fieldManager: "editor"
        })
        // The editor took .data.mode from ops, whose entry, now empty, is gone.
        assert.sameMembers(
          (edited.metadata?.managedFields ?? []).map((entry) => entry.manager),
          ["effect-kube", "editor"]
        )
      })
    )
  )

  it.live("an apply through the status subresource owns status fields under its own entry", () =>
    overLoopback(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(Deployment, "default")
        yield* api.apply("web", { metadata: { name: "web" }, spec: webSpec }, { fieldManager: "deployer" })
        const status = (replicas: number) =>
          Patch.apply({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, status: { replicas } })
        const applied = yield* api.patchStatus("web", status(2), { fieldManager: "controller" })
        assert.strictEqual(applied.status?.replicas, 2)
        const entry = applied.metadata?.managedFields?.find((candidate) => candidate.manager === "controller")
        assert.deepStrictEqual(entry?.fieldsV1, { "f:status": { "f:replicas": {} } })
        assert.strictEqual(entry?.subresource, "status")
        yield* api.patchStatus("web", Patch.merge({ status: { replicas: 3 } }), { fieldManager: "other" })
        const conflict = yield* expectApiError(api.patchStatus("web", status(5), { fieldManager: "controller" }))
        assert.strictEqual(
          conflict.status.message,
          'Apply failed with 1 conflict: conflict with "other" with subresource "status" using apps/v1: .status.replicas'
        )
      })
    )
  )

  it.live("an apply through /scale owns spec.replicas, and an update through /scale takes it", () =>
    overLoopback(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(Deployment, "default")
        yield* api.apply("web", { metadata: { name: "web" }, spec: webSpec }, { fieldManager: "deployer" })
        const scale = (replicas: number) =>
          Patch.apply({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas } })
        // Nobody owned the defaulted replicas: the Scale's first apply meets before-first-apply.
        const untracked = yield* expectApiError(api.patchScale("web", scale(4), { fieldManager: "scaler" }))
        assert.strictEqual(
          untracked.status.message,
          'Apply failed with 1 conflict: conflict with "before-first-apply" with subresource "scale" using autoscaling/v1: .spec.replicas'
        )
        yield* api.patchScale("web", scale(4), { fieldManager: "scaler", force: true })
        const owners = (deployment: Deployment) =>
          (deployment.metadata?.managedFields ?? []).map((entry) => [
            entry.manager,
            entry.operation,
            entry.apiVersion,
            entry.subresource ?? "",
            JSON.stringify(entry.fieldsV1).includes("f:replicas")
          ])
        const scaled = yield* api.get("web")
        assert.strictEqual(scaled.spec?.replicas, 4)
        assert.deepStrictEqual(owners(scaled), [
          ["deployer", "Apply", "apps/v1", "", false],
          ["scaler", "Apply", "apps/v1", "scale", true]
        ])
        yield* api.patchScale("web", Patch.merge({ spec: { replicas: 5 } }), { fieldManager: "kubectl-scale" })
        assert.deepStrictEqual(owners(yield* api.get("web")), [
          ["deployer", "Apply", "apps/v1", "", false],
          ["kubectl-scale", "Update", "apps/v1", "scale", true]
        ])
        const taken = yield* expectApiError(api.patchScale("web", scale(6), { fieldManager: "scaler" }))
        assert.strictEqual(
          taken.status.message,
          'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas'
        )
      })
    )
  )

  it.live("an apply that creates a Deployment is defaulted, owns only what it applied and is idempotent", () =>
    overLoopback(
      Effect.gen(function* () {
        const api = yield* Api.namespaced(Deployment, "default")
        const desired: Deployment = { metadata: { name: "web" }, spec: webSpec }
        const created = yield* api.apply("web", desired, { fieldManager: "deployer" })
        assert.strictEqual(created.spec?.replicas, 1)
        const entries = created.metadata?.managedFields ?? []
        assert.deepStrictEqual(
          entries.map((entry) => [entry.manager, entry.operation]),
          [["deployer", "Apply"]]
        )
        const owned = JSON.stringify(entries[0]?.fieldsV1)
        assert.notInclude(owned, "f:replicas", "a defaulted field belongs to no manager")
        assert.include(owned, 'k:{\\"name\\":\\"app\\"}')
        const again = yield* api.apply("web", desired, { fieldManager: "deployer" })
        assert.strictEqual(again.metadata?.resourceVersion, created.metadata?.resourceVersion)
        // Another applier can set the defaulted field (nobody owns it) and share the rest.
        const scaled = yield* api.apply(
          "web",
          { metadata: { name: "web" }, spec: { ...webSpec, replicas: 3 } },
          { fieldManager: "autoscaler" }
        )
        assert.strictEqual(scaled.spec?.replicas, 3)
        assert.strictEqual(scaled.spec?.template.spec?.containers[0]?.image, "registry.k8s.io/pause:3.10")
      })
    )
  )
})
