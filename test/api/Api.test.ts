import { assert, describe, expect, it } from "@effect/vitest"
import { Exit, Option, Schema, SchemaIssue } from "effect"
import { pod } from "../../bench/podList.js"
import * as ApiextensionsV1 from "../../src/api/apiextensions/v1.js"
import * as AppsV1 from "../../src/api/apps/v1.js"
import * as CoordinationV1 from "../../src/api/coordination/v1.js"
import * as CoreV1 from "../../src/api/core/v1.js"
import * as NetworkingV1 from "../../src/api/networking/v1.js"
import * as PatchMetadata from "../../src/api/patchMetadata.js"
import * as RbacV1 from "../../src/api/rbac/v1.js"
import * as Registry from "../../src/api/registry.js"
import { fixtures } from "./fixtures.js"

const descriptor = (apiVersion: string, kind: string) =>
  Option.getOrThrowWith(
    Registry.findByKind(apiVersion, kind),
    () => new Error(`no descriptor for ${apiVersion} ${kind}`)
  )

/** The JSON text of a value with every null removed, as decoding declared fields leaves it. */
const withoutNulls = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_key, field: unknown) => (field === null ? undefined : field)))

const issuePaths = (exit: Exit.Exit<unknown, Schema.SchemaError>): ReadonlyArray<string> => {
  if (Exit.isSuccess(exit)) return []
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (failure === undefined || failure._tag !== "Fail") return []
  return SchemaIssue.makeFormatterStandardSchemaV1()(failure.error.issue).issues.map(
    (issue) => issue.path?.map((segment) => (typeof segment === "object" ? segment.key : segment)).join(".") ?? ""
  )
}

describe("resource descriptors are read from the spec's paths", () => {
  it("pods: core group, namespaced, with log, exec and eviction", () => {
    assert.strictEqual(CoreV1.Pod.group, "")
    assert.strictEqual(CoreV1.Pod.apiVersion, "v1")
    assert.strictEqual(CoreV1.Pod.plural, "pods")
    assert.isTrue(CoreV1.Pod.namespaced)
    for (const subresource of ["log", "exec", "eviction", "status", "attach", "portforward", "binding"]) {
      expect(CoreV1.Pod.subresources).toContain(subresource)
    }
    expect(CoreV1.Pod.verbs).toEqual([
      "create",
      "delete",
      "deletecollection",
      "get",
      "list",
      "patch",
      "update",
      "watch"
    ])
  })

  it("nodes are cluster-scoped, with status and proxy", () => {
    assert.strictEqual(CoreV1.Node.plural, "nodes")
    assert.isFalse(CoreV1.Node.namespaced)
    expect(CoreV1.Node.subresources).toEqual(["proxy", "status"])
  })

  it("endpoints keep their irregular plural", () => {
    assert.strictEqual(CoreV1.Endpoints.plural, "endpoints")
    assert.strictEqual(CoreV1.Endpoints.kind, "Endpoints")
    assert.isTrue(CoreV1.Endpoints.namespaced)
  })

  it("ingresses and networkpolicies use the real group name", () => {
    assert.strictEqual(NetworkingV1.Ingress.group, "networking.k8s.io")
    assert.strictEqual(NetworkingV1.Ingress.plural, "ingresses")
    expect(NetworkingV1.Ingress.subresources).toEqual(["status"])
    assert.strictEqual(NetworkingV1.NetworkPolicy.plural, "networkpolicies")
    assert.strictEqual(NetworkingV1.NetworkPolicy.apiVersion, "networking.k8s.io/v1")
    assert.isTrue(NetworkingV1.NetworkPolicy.namespaced)
  })

  it("customresourcedefinitions are cluster-scoped in apiextensions.k8s.io", () => {
    const crd = ApiextensionsV1.CustomResourceDefinition
    assert.strictEqual(crd.group, "apiextensions.k8s.io")
    assert.strictEqual(crd.plural, "customresourcedefinitions")
    assert.isFalse(crd.namespaced)
    expect(crd.subresources).toEqual(["status"])
  })

  it("leases are namespaced in coordination.k8s.io, without subresources", () => {
    const lease = CoordinationV1.Lease
    assert.strictEqual(lease.apiVersion, "coordination.k8s.io/v1")
    assert.strictEqual(lease.plural, "leases")
    assert.isTrue(lease.namespaced)
    expect(lease.subresources).toEqual([])
  })

  it("deployments have scale; rbac kinds use rbac.authorization.k8s.io", () => {
    expect(AppsV1.Deployment.subresources).toEqual(["scale", "status"])
    assert.strictEqual(RbacV1.ClusterRole.group, "rbac.authorization.k8s.io")
    assert.isFalse(RbacV1.ClusterRole.namespaced)
  })

  it("kinds without a list operation get no descriptor", () => {
    assert.isTrue(Option.isNone(Registry.findByKind("policy/v1", "Eviction")))
    assert.isTrue(Option.isNone(Registry.findByKind("authentication.k8s.io/v1", "TokenReview")))
  })
})

describe("the registry", () => {
  it("finds descriptors by apiVersion and kind and by group, version and plural", () => {
    assert.strictEqual(descriptor("apps/v1", "Deployment"), AppsV1.Deployment)
    assert.strictEqual(Option.getOrUndefined(Registry.findByPlural("", "v1", "pods")), CoreV1.Pod)
    assert.isTrue(Option.isNone(Registry.findByPlural("apps", "v1", "pods")))
  })

  it("holds one descriptor per group, version and kind", () => {
    const keys = Registry.resources.map((resource) => `${resource.apiVersion} ${resource.kind}`)
    assert.strictEqual(new Set(keys).size, keys.length)
    assert.isAbove(keys.length, 80)
  })
})

describe("generated schemas decode what the server sends and keep every field", () => {
  it(`re-encodes realistic objects of ${fixtures.length} kinds to the same JSON, unknown fields included`, () => {
    assert.isAtLeast(fixtures.length, 10)
    for (const { apiVersion, kind, object } of fixtures) {
      const input = withoutNulls(object)
      const resource = descriptor(apiVersion, kind)
      const decoded = Schema.decodeUnknownSync(resource.schema)(input)
      const encoded = Schema.encodeUnknownSync(resource.schema)(decoded)
      // the same JSON value; encoding writes declared fields before unknown ones
      assert.deepStrictEqual(encoded, input, `${apiVersion} ${kind}`)
    }
  })

  it("decodes a list of them through the descriptor's list schema", () => {
    const items = fixtures.filter((fixture) => fixture.kind === "Pod").map((fixture) => withoutNulls(fixture.object))
    const list = Schema.decodeUnknownSync(CoreV1.Pod.listSchema)({
      apiVersion: "v1",
      kind: "PodList",
      metadata: {},
      items
    })
    assert.strictEqual(list.items.length, items.length)
    assert.strictEqual(list.items[0]?.spec?.containers[0]?.name, "app")
  })

  it("returns valid input as it is, without copying", () => {
    const input = withoutNulls(pod(1))
    assert.strictEqual(Schema.decodeUnknownSync(CoreV1.PodSchema)(input), input)
  })

  it("reads a null in a declared field as the Go nil it is, and keeps nulls of unknown fields", () => {
    const decoded = Schema.decodeUnknownSync(CoreV1.PodSchema)(pod(2))
    assert.deepStrictEqual(decoded, withoutNulls(pod(2)))
    const role: unknown = Schema.decodeUnknownSync(RbacV1.Role.schema)({
      metadata: { name: "empty", creationTimestamp: null },
      rules: null,
      "x-future": null
    })
    assert.deepStrictEqual(role, { metadata: { name: "empty" }, "x-future": null })
    // a required list (a Go slice without omitempty) is empty, like `items: null` on a list
    const empty = Schema.decodeUnknownSync(CoreV1.PodSchema)({ spec: { containers: null } })
    assert.deepStrictEqual(empty, { spec: { containers: [] } })
  })

  it("decodes int-or-string, quantities and timestamps as their wire form", () => {
    const deployment = Schema.decodeUnknownSync(AppsV1.DeploymentSchema)({
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: "a", resources: { limits: { cpu: "500m" } } }] } },
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } }
      },
      status: { conditions: [{ type: "Available", status: "True", lastUpdateTime: "2026-01-10T08:01:00Z" }] }
    })
    assert.strictEqual(deployment.spec?.strategy?.rollingUpdate?.maxSurge, 1)
    assert.strictEqual(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable, "25%")
    assert.strictEqual(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.cpu, "500m")
    assert.strictEqual(deployment.status?.conditions?.[0]?.lastUpdateTime, "2026-01-10T08:01:00Z")
  })

  it("keeps a CRD's embedded JSON schema, recursive and free-form parts included", () => {
    const crd = fixtures.find((fixture) => fixture.kind === "CustomResourceDefinition")?.object
    const decoded = Schema.decodeUnknownSync(ApiextensionsV1.CustomResourceDefinitionSchema)(crd)
    const spec = decoded.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec
    assert.deepStrictEqual(spec?.required, ["size"])
    assert.strictEqual(spec?.properties?.port?.["x-kubernetes-int-or-string"], true)
  })
})

describe("invalid objects fail with the path of the offending field", () => {
  it("names spec.containers[0].ports[0].containerPort", () => {
    const exit = Schema.decodeUnknownExit(CoreV1.PodSchema)({
      metadata: { name: "web" },
      spec: { containers: [{ name: "web", image: "nginx", ports: [{ containerPort: "80" }] }] }
    })
    expect(issuePaths(exit)).toEqual(["spec.containers.0.ports.0.containerPort"])
    assert.isTrue(
      Exit.isFailure(exit) && String(exit.cause).includes('["spec"]["containers"][0]["ports"][0]["containerPort"]')
    )
  })

  it("names a missing required field, a wrong type deep in a list item, and a non-integer int32", () => {
    const list = Schema.decodeUnknownExit(CoreV1.Pod.listSchema, { errors: "all" })({
      items: [
        withoutNulls(pod(3)),
        { spec: { containers: [{ image: "nginx" }] } },
        { metadata: { labels: { app: 1 } } },
        { spec: { containers: [{ name: "a", ports: [{ containerPort: 80.5 }] }] } }
      ]
    })
    expect(issuePaths(list)).toEqual([
      "items.1.spec.containers.0.name",
      "items.2.metadata.labels.app",
      "items.3.spec.containers.0.ports.0.containerPort"
    ])
  })

  it("rejects a null where the spec requires a scalar", () => {
    const exit = Schema.decodeUnknownExit(CoreV1.PodSchema)({ spec: { containers: [{ name: null }] } })
    expect(issuePaths(exit)).toEqual(["spec.containers.0.name"])
  })
})

describe("patch metadata for strategic merge patch and server-side apply", () => {
  it("carries merge keys, strategies and list types from the spec", () => {
    const podSpec = PatchMetadata.definitions["io.k8s.api.core.v1.PodSpec"]
    expect(podSpec?.fields.containers).toEqual({
      type: "io.k8s.api.core.v1.Container",
      patchStrategy: ["merge"],
      patchMergeKey: "name",
      listType: "map",
      listMapKeys: ["name"]
    })
    expect(podSpec?.fields.volumes?.patchStrategy).toEqual(["merge", "retainKeys"])
    expect(PatchMetadata.definitions["io.k8s.api.core.v1.Container"]?.fields.ports?.listMapKeys).toEqual([
      "containerPort",
      "protocol"
    ])
    expect(PatchMetadata.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"]?.mapType).toBe("atomic")
    expect(PatchMetadata.definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?.fields.finalizers).toEqual({
      patchStrategy: ["merge"],
      listType: "set"
    })
    assert.strictEqual(PatchMetadata.kinds["apps/v1"]?.Deployment, "io.k8s.api.apps.v1.Deployment")
    assert.strictEqual(PatchMetadata.kinds.v1?.Pod, "io.k8s.api.core.v1.Pod")
  })
})
