import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Model from "../../codegen/Model.js"
import * as Render from "../../codegen/Render.js"
import * as Source from "../../codegen/Source.js"
import * as Spec from "../../codegen/Spec.js"

// A small API in the shape of the Kubernetes sample-apiserver: a namespaced
// Flunder with status and scale, a cluster-scoped Fischer, their lists.
const meta = "io.k8s.apimachinery.pkg.apis.meta.v1"
const wardle = "io.k8s.sample-apiserver.pkg.apis.wardle.v1alpha1"
const gvk = (kind: string) => ({ group: "wardle.example.com", version: "v1alpha1", kind })

type Ref = (name: string) => Record<string, unknown>

const definitions = (ref: Ref, wrapped: Ref) => ({
  [`${meta}.ObjectMeta`]: { type: "object", properties: { name: { type: "string" } } },
  [`${meta}.ListMeta`]: { type: "object", properties: { resourceVersion: { type: "string" } } },
  [`${wardle}.Flunder`]: {
    description: "A Flunder: */ ends a comment.",
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: wrapped(`${meta}.ObjectMeta`),
      spec: wrapped(`${wardle}.FlunderSpec`)
    },
    "x-kubernetes-group-version-kind": [gvk("Flunder")]
  },
  [`${wardle}.FlunderSpec`]: {
    type: "object",
    required: ["reference"],
    properties: {
      reference: { type: "string", description: "What it refers to." },
      replicas: { type: "integer", format: "int32" },
      port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
      "x-extra": { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      parent: ref(`${wardle}.FlunderSpec`),
      labels: { type: "object", additionalProperties: { type: "string" } },
      owners: { type: "array", items: ref(`${wardle}.Fischer`), "x-kubernetes-list-type": "atomic" }
    }
  },
  [`${wardle}.FlunderList`]: {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: wrapped(`${meta}.ListMeta`),
      items: { type: "array", items: ref(`${wardle}.Flunder`) }
    },
    "x-kubernetes-group-version-kind": [gvk("FlunderList")]
  },
  [`${wardle}.Fischer`]: {
    type: "object",
    properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: ref(`${meta}.ObjectMeta`) },
    "x-kubernetes-group-version-kind": [gvk("Fischer")]
  }
})

const prefix = "/apis/wardle.example.com/v1alpha1"

/** Paths as the API server lists them: action and kind on every operation. */
const paths = (response: (list: string) => Record<string, unknown>) => {
  const op = (action: string, kind: string, list?: string) => ({
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk(kind),
    responses: list === undefined ? {} : response(list)
  })
  return {
    [`${prefix}/flunders`]: { get: op("list", "Flunder", `${wardle}.FlunderList`) },
    [`${prefix}/namespaces/{namespace}/flunders`]: {
      get: op("list", "Flunder", `${wardle}.FlunderList`),
      post: op("post", "Flunder"),
      delete: op("deletecollection", "Flunder")
    },
    [`${prefix}/namespaces/{namespace}/flunders/{name}`]: {
      get: op("get", "Flunder"),
      put: op("put", "Flunder"),
      patch: op("patch", "Flunder"),
      delete: op("delete", "Flunder")
    },
    [`${prefix}/namespaces/{namespace}/flunders/{name}/status`]: {
      get: op("get", "Flunder"),
      put: op("put", "Flunder")
    },
    [`${prefix}/namespaces/{namespace}/flunders/{name}/scale`]: {
      get: {
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": { group: "autoscaling", version: "v1", kind: "Scale" }
      }
    },
    [`${prefix}/watch/namespaces/{namespace}/flunders`]: { get: op("watchlist", "Flunder") },
    [`${prefix}/fischers`]: { get: op("list", "Fischer"), post: op("post", "Fischer") },
    [`${prefix}/fischers/{name}`]: { get: op("get", "Fischer") }
  }
}

const v2Document = {
  swagger: "2.0",
  info: { title: "Wardle", version: "unversioned" },
  definitions: definitions(
    (name) => ({ $ref: `#/definitions/${name}` }),
    (name) => ({ $ref: `#/definitions/${name}`, description: "a reference with a description" })
  ),
  paths: paths((list) => ({ "200": { schema: { $ref: `#/definitions/${list}` } } }))
}

const v3Document = {
  openapi: "3.0.0",
  info: { title: "Wardle", version: "unversioned" },
  components: {
    schemas: definitions(
      (name) => ({ $ref: `#/components/schemas/${name}` }),
      // v3 wraps a reference that carries a description in allOf
      (name) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], description: "a reference with a description" })
    )
  },
  paths: paths((list) => ({
    "200": { content: { "application/json": { schema: { $ref: `#/components/schemas/${list}` } } } }
  }))
}

const moduleText = (api: Model.Api, path: string): string => {
  const file = Render.files(api).find((candidate) => candidate.path === path)
  if (file === undefined) throw new Error(`no ${path}`)
  return file.text
}

describe("codegen", () => {
  const api = Model.fromSpec(Spec.fromV2(JSON.stringify(v2Document), "wardle.json"))

  it("reads scope, verbs and subresources from the paths", () => {
    const flunder = api.definitions.get(`${wardle}.Flunder`)?.resource
    expect(flunder).toEqual({
      group: "wardle.example.com",
      version: "v1alpha1",
      kind: "Flunder",
      plural: "flunders",
      namespaced: true,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      subresources: ["scale", "status"],
      listResponse: `${wardle}.FlunderList`
    })
    const fischer = api.definitions.get(`${wardle}.Fischer`)?.resource
    assert.isFalse(fischer?.namespaced)
    expect(fischer?.verbs).toEqual(["create", "get", "list"])
  })

  it("places definitions by Go package and marks list types and recursion", () => {
    expect(api.modules.map((module) => module.path)).toEqual(["meta/v1", "wardle/v1alpha1"])
    assert.strictEqual(api.definitions.get(`${wardle}.FlunderList`)?.listOf, `${wardle}.Flunder`)
    // Fischer is listed with no response schema to check, so its list type stays unknown
    assert.isUndefined(api.definitions.get(`${wardle}.Fischer`)?.resource?.listResponse)
    expect([...(api.definitions.get(`${wardle}.FlunderSpec`)?.cyclic ?? [])]).toEqual([`${wardle}.FlunderSpec`])
  })

  it("renders interfaces, open schemas and descriptors", () => {
    const text = moduleText(api, "src/api/wardle/v1alpha1.ts")
    expect(text).toContain("// Generated by codegen/main.ts from Wardle OpenAPI v2 wardle.json. Do not edit.")
    expect(text).toContain("A Flunder: *\\/ ends a comment.")
    expect(text).toContain("readonly reference: string")
    expect(text).toContain("readonly port?: IntOrString.IntOrString")
    expect(text).toContain('readonly "x-extra"?: { readonly [key: string]: unknown }')
    expect(text).toContain("Schema.suspend((): Schema.Codec<FlunderSpec> => FlunderSpec)")
    expect(text).toContain("export const FlunderSchema: Schema.Codec<Flunder> = /*#__PURE__*/ openStruct({")
    expect(text).toContain("export type FlunderList = ObjectList.ObjectList<Flunder>")
    expect(text).toContain("listSchema: FlunderList")
    expect(text).toContain('plural: "fischers"')
    expect(text).toContain("readonly owners?: ReadonlyArray<Fischer>")
    expect(text).toContain("/*#__PURE__*/ Schema.Array(FischerSchema)")
  })

  it("writes the merge metadata of fields", () => {
    const text = moduleText(api, "src/api/patchMetadata.ts")
    expect(text).toContain(`"owners": { type: "${wardle}.Fischer", listType: "atomic" }`)
  })

  it("renders the same API from OpenAPI v3 documents in a directory", async () => {
    const directory = mkdtempSync(join(tmpdir(), "codegen-v3-"))
    mkdirSync(join(directory, "apis/wardle.example.com"), { recursive: true })
    writeFileSync(join(directory, "apis/wardle.example.com/v1alpha1"), JSON.stringify(v3Document))
    const fromV3 = Model.fromSpec(await Source.readV3(directory))
    const body = (text: string) => text.slice(text.indexOf("\n"))
    for (const path of ["src/api/wardle/v1alpha1.ts", "src/api/registry.ts", "src/api/patchMetadata.ts"]) {
      assert.strictEqual(body(moduleText(fromV3, path)), body(moduleText(api, path)), path)
    }
  })

  it("fails on a reference to a missing definition", () => {
    const broken = {
      ...v2Document,
      definitions: {
        ...v2Document.definitions,
        [`${wardle}.Broken`]: { $ref: "#/definitions/io.k8s.api.nowhere.v1.Gone" }
      }
    }
    expect(() => Model.fromSpec(Spec.fromV2(JSON.stringify(broken), "broken.json"))).toThrow(/missing definition/)
  })
})
