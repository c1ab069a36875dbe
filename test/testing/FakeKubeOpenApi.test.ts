import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as KubeSource from "../../codegen/KubeSource.js"
import * as Model from "../../codegen/Model.js"
import * as Render from "../../codegen/Render.js"
import * as Source from "../../codegen/Source.js"
import { CustomResourceDefinition } from "../../src/api/apiextensions/v1.js"
import * as Api from "../../src/client/Api.js"
import { FakeKube } from "../../src/testing/index.js"
import { loopbackClient } from "../support/fakeKube.js"

/** The value at a path of object keys, or `undefined`. */
const at = (value: unknown, ...path: ReadonlyArray<string>): unknown => {
  let current = value
  for (const key of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined
    current = Object.getOwnPropertyDescriptor(current, key)?.value
  }
  return current
}

/** GETs a path of the server and parses the JSON body. */
const getJson = (server: FakeKube.Server, path: string) =>
  Effect.promise(async (): Promise<unknown> => {
    const response = await fetch(`${server.url}${path}`, { headers: { accept: "application/json" } })
    assert.strictEqual(response.status, 200, `GET ${path}`)
    return response.json()
  })

const statusOf = (server: FakeKube.Server, path: string) =>
  Effect.promise(() => fetch(`${server.url}${path}`).then((response) => response.status))

/** The URL the `/openapi/v3` index gives for a group-version. */
const documentUrl = (server: FakeKube.Server, groupVersion: string) =>
  Effect.map(getJson(server, "/openapi/v3"), (index) => at(index, "paths", groupVersion, "serverRelativeURL"))

const schemaOf = (document: unknown, name: string) => at(document, "components", "schemas", name)

const gadgets = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "gadgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Cluster",
    names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: { spec: { type: "object", properties: { size: { type: "integer" } } } }
          }
        }
      }
    ]
  }
}

describe("FakeKube OpenAPI documents", () => {
  it.live("the /openapi/v3 index lists the served group-versions and each URL serves its document", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const core = yield* documentUrl(server, "api/v1")
      const apps = yield* documentUrl(server, "apis/apps/v1")
      assert.match(String(core), /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/)
      assert.match(String(apps), /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/)
      // Alpha and beta versions are off by default, as on kube-apiserver 1.35.
      assert.isUndefined(yield* documentUrl(server, "apis/resource.k8s.io/v1beta1"))
      const document = yield* getJson(server, String(apps))
      assert.strictEqual(at(document, "openapi"), "3.0.0")
      assert.deepStrictEqual(
        at(schemaOf(document, "io.k8s.api.apps.v1.Deployment"), "x-kubernetes-group-version-kind"),
        [{ group: "apps", kind: "Deployment", version: "v1" }]
      )
      assert.strictEqual(
        at(document, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments", "get", "x-kubernetes-action"),
        "list"
      )
      const scale = at(document, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "get")
      assert.deepStrictEqual(at(scale, "x-kubernetes-group-version-kind"), {
        group: "autoscaling",
        kind: "Scale",
        version: "v1"
      })
      assert.deepStrictEqual(at(scale, "responses", "200", "content", "application/json", "schema"), {
        $ref: "#/components/schemas/io.k8s.api.autoscaling.v1.Scale"
      })
      assert.isDefined(schemaOf(document, "io.k8s.api.autoscaling.v1.ScaleSpec"))
      assert.strictEqual(yield* statusOf(server, "/openapi/v3/apis/nothing.example.com/v1"), 404)
    }).pipe(Effect.scoped)
  )

  it.live("definitions carry the kind, list and patch extensions and the spec's scalar formats", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const document = yield* getJson(server, "/openapi/v3/api/v1")
      const pod = schemaOf(document, "io.k8s.api.core.v1.Pod")
      assert.deepStrictEqual(at(pod, "x-kubernetes-group-version-kind"), [{ group: "", kind: "Pod", version: "v1" }])
      assert.deepStrictEqual(at(pod, "properties", "spec"), { $ref: "#/components/schemas/io.k8s.api.core.v1.PodSpec" })
      const containers = at(schemaOf(document, "io.k8s.api.core.v1.PodSpec"), "properties", "containers")
      assert.strictEqual(at(containers, "x-kubernetes-list-type"), "map")
      assert.deepStrictEqual(at(containers, "x-kubernetes-list-map-keys"), ["name"])
      assert.strictEqual(at(containers, "x-kubernetes-patch-strategy"), "merge")
      assert.strictEqual(at(containers, "x-kubernetes-patch-merge-key"), "name")
      assert.deepStrictEqual(at(containers, "items"), { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" })
      assert.deepStrictEqual(at(schemaOf(document, "io.k8s.api.core.v1.Container"), "required"), ["name"])
      assert.deepStrictEqual(schemaOf(document, "io.k8s.apimachinery.pkg.apis.meta.v1.Time"), {
        type: "string",
        format: "date-time"
      })
      assert.deepStrictEqual(
        at(schemaOf(document, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"), "properties", "creationTimestamp"),
        { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time" }
      )
      assert.deepStrictEqual(schemaOf(document, "io.k8s.apimachinery.pkg.util.intstr.IntOrString"), {
        type: "string",
        format: "int-or-string"
      })
      assert.deepStrictEqual(
        at(
          schemaOf(document, "io.k8s.api.core.v1.ResourceRequirements"),
          "properties",
          "limits",
          "additionalProperties"
        ),
        { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }
      )
      const swagger = yield* getJson(server, "/openapi/v2")
      assert.strictEqual(at(swagger, "swagger"), "2.0")
      assert.deepStrictEqual(
        at(swagger, "definitions", "io.k8s.api.apps.v1.DeploymentSpec", "properties", "template"),
        {
          $ref: "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"
        }
      )
    }).pipe(Effect.scoped)
  )

  it.live("a CRD's group-version is served from its schema, and follows the CRD's changes", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      assert.isUndefined(yield* documentUrl(server, "apis/example.com/v1"))
      yield* Effect.gen(function* () {
        const crds = yield* Api.cluster(CustomResourceDefinition)
        yield* crds.create(gadgets)
        const first = yield* documentUrl(server, "apis/example.com/v1")
        const document = yield* getJson(server, String(first))
        const gadget = schemaOf(document, "com.example.v1.Gadget")
        assert.deepStrictEqual(at(gadget, "properties", "spec"), {
          type: "object",
          properties: { size: { type: "integer" } }
        })
        assert.deepStrictEqual(at(gadget, "properties", "metadata"), {
          $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
        })
        assert.deepStrictEqual(at(gadget, "x-kubernetes-group-version-kind"), [
          { group: "example.com", kind: "Gadget", version: "v1" }
        ])
        assert.isDefined(at(document, "paths", "/apis/example.com/v1/gadgets/{name}", "get"))

        const stored = yield* crds.get("gadgets.example.com")
        const color = { type: "string" }
        const versions = gadgets.spec.versions.map((version) => ({
          ...version,
          schema: { openAPIV3Schema: { ...version.schema.openAPIV3Schema, properties: { color } } }
        }))
        yield* crds.replace("gadgets.example.com", { ...stored, spec: { ...gadgets.spec, versions } })
        const second = yield* documentUrl(server, "apis/example.com/v1")
        assert.notStrictEqual(second, first)
        const changed = yield* getJson(server, String(second))
        assert.deepStrictEqual(at(schemaOf(changed, "com.example.v1.Gadget"), "properties", "color"), color)

        yield* crds.delete("gadgets.example.com")
      }).pipe(Effect.provide(loopbackClient(server)))
      assert.isUndefined(yield* documentUrl(server, "apis/example.com/v1"))
      assert.strictEqual(yield* statusOf(server, "/openapi/v3/apis/example.com/v1"), 404)
    }).pipe(Effect.scoped)
  )

  it.live(
    "the project's codegen reads FakeKube's documents into the built-in descriptors, leaving out custom resources",
    () =>
      Effect.gen(function* () {
        const server = yield* FakeKube.serve()
        yield* Api.cluster(CustomResourceDefinition).pipe(
          Effect.flatMap((crds) => crds.create(gadgets)),
          Effect.provide(loopbackClient(server))
        )
        const kubeconfig = join(mkdtempSync(join(tmpdir(), "fakekube-openapi-")), "kubeconfig")
        writeFileSync(kubeconfig, server.kubeconfig)
        const spec = yield* Effect.promise(async () => {
          const cluster = KubeSource.fromKubeconfig(kubeconfig)
          try {
            return await Source.readV3(await cluster.resolve("/openapi/v3"), cluster.fetch)
          } finally {
            await cluster.dispose()
          }
        })
        const api = Model.fromSpec(spec)
        assert.includeMembers([...api.skipped], ["com.example.v1.Gadget"])
        assert.isFalse([...api.definitions.keys()].some((id) => id.startsWith("com.example")))
        const resource = (id: string) => api.definitions.get(id)?.resource
        assert.deepInclude(resource("io.k8s.api.core.v1.Pod"), { kind: "Pod", plural: "pods", namespaced: true })
        assert.deepInclude(resource("io.k8s.api.core.v1.Namespace"), { plural: "namespaces", namespaced: false })
        assert.deepInclude(resource("io.k8s.api.apps.v1.Deployment"), {
          group: "apps",
          plural: "deployments",
          namespaced: true,
          subresources: ["scale", "status"]
        })
        assert.strictEqual(
          api.definitions.get("io.k8s.api.apps.v1.DeploymentList")?.listOf,
          "io.k8s.api.apps.v1.Deployment"
        )
        const apps = Render.files(api).find((file) => file.path === "src/api/apps/v1.ts")
        assert.include(apps?.text, 'plural: "deployments"')
      }).pipe(Effect.scoped)
  )
})
