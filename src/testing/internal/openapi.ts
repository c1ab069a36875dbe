/**
 * The OpenAPI documents FakeKube serves (`/openapi/v2`, the `/openapi/v3`
 * index and `/openapi/v3/<api/v1|apis/group/version>`), built when first
 * asked for from what the repository has instead of the Kubernetes spec file:
 * the generated schemas (walked as ASTs), the generated patch metadata (the
 * definition names of nested objects and the `x-kubernetes-*` list and map
 * extensions), and, for custom resources, the stored CRD version's
 * `openAPIV3Schema`. Documents are cached per group-version and rebuilt when
 * the served types of that group-version change (a CRD was created, changed
 * or deleted).
 */
import { createHash } from "node:crypto"
import { SchemaAST } from "effect"
import { Scale } from "../../api/autoscaling/v1.js"
import { definitions, kinds } from "../../api/patchMetadata.js"
import { Eviction } from "../../api/policy/v1.js"
import { ListMeta, ObjectMeta } from "../../core/ObjectMeta.js"
import { Status } from "../../core/Status.js"
import * as Discovery from "./discovery.js"
import type { JsonObject } from "./json.js"
import type { ResourceType } from "./resourceTypes.js"

/** Which OpenAPI version a document is written for: where references point and how responses are written. */
type Flavor = "v2" | "v3"

const referencePrefix: Record<Flavor, string> = { v2: "#/definitions/", v3: "#/components/schemas/" }

const objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
const listMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
const statusName = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"

/** The subresources whose body is a kind of its own, as the real spec's operations on them say. */
const subresourceKinds: {
  readonly [subresource: string]: {
    readonly groupVersionKind: JsonObject
    readonly definition: string
    readonly ast: SchemaAST.AST
  }
} = {
  scale: {
    groupVersionKind: { group: "autoscaling", kind: "Scale", version: "v1" },
    definition: "io.k8s.api.autoscaling.v1.Scale",
    ast: Scale.ast
  },
  eviction: {
    groupVersionKind: { group: "policy", kind: "Eviction", version: "v1" },
    definition: "io.k8s.api.policy.v1.Eviction",
    ast: Eviction.ast
  }
}

/** The group-version-kinds of each definition, from the patch metadata's kind table. */
const kindsOfDefinition = (): ReadonlyMap<string, ReadonlyArray<JsonObject>> => {
  const byDefinition = new Map<string, Array<JsonObject>>()
  for (const [apiVersion, byKind] of Object.entries(kinds)) {
    const slash = apiVersion.indexOf("/")
    const group = slash === -1 ? "" : apiVersion.slice(0, slash)
    const version = apiVersion.slice(slash + 1)
    for (const [kind, definition] of Object.entries(byKind)) {
      const list = byDefinition.get(definition) ?? []
      list.push({ group, kind, version })
      byDefinition.set(definition, list)
    }
  }
  return byDefinition
}

let definitionKinds: ReadonlyMap<string, ReadonlyArray<JsonObject>> | undefined

const groupVersionKindsOf = (definition: string): ReadonlyArray<JsonObject> | undefined => {
  definitionKinds ??= kindsOfDefinition()
  return definitionKinds.get(definition)
}

/** The OpenAPI definition a core scalar schema stands for (`Time`, `Quantity`, `IntOrString`). */
const annotatedDefinition = (ast: SchemaAST.AST): string | undefined => {
  const name = ast.annotations?.openapiDefinition
  return typeof name === "string" ? name : undefined
}

/** The definitions of the scalar types the core annotates, as the Kubernetes spec writes them. */
const scalarDefinitions: { readonly [name: string]: JsonObject } = {
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" }
}

/** The `x-kubernetes-*` extensions of one field, from the patch metadata. */
const fieldExtensions = (definition: string, field: string): JsonObject => {
  const metadata = definitions[definition]?.fields[field]
  const extensions: JsonObject = {}
  if (metadata === undefined) return extensions
  if (metadata.listMapKeys !== undefined) extensions["x-kubernetes-list-map-keys"] = metadata.listMapKeys
  if (metadata.listType !== undefined) extensions["x-kubernetes-list-type"] = metadata.listType
  if (metadata.mapType !== undefined) extensions["x-kubernetes-map-type"] = metadata.mapType
  if (metadata.patchMergeKey !== undefined) extensions["x-kubernetes-patch-merge-key"] = metadata.patchMergeKey
  if (metadata.patchStrategy !== undefined) extensions["x-kubernetes-patch-strategy"] = metadata.patchStrategy.join(",")
  return extensions
}

/** Collects the definitions a document needs while its schemas are written. */
class DefinitionSet {
  readonly schemas = new Map<string, JsonObject>()

  constructor(readonly flavor: Flavor) {}

  reference(name: string): JsonObject {
    return { $ref: `${referencePrefix[this.flavor]}${name}` }
  }

  /** A schema with extensions added: v3 ignores siblings of `$ref`, so a reference is wrapped in `allOf` there. */
  extend(schema: JsonObject, extensions: JsonObject): JsonObject {
    if (Object.keys(extensions).length === 0) return schema
    if (schema.$ref !== undefined && this.flavor === "v3") return { allOf: [schema], ...extensions }
    return { ...schema, ...extensions }
  }

  /** Adds the definition of an object schema (and every definition it refers to) under `name`. */
  addStruct(name: string, ast: SchemaAST.AST): void {
    if (this.schemas.has(name)) return
    const definition: JsonObject = {}
    // Set before the fields are walked: a definition may refer to itself (JSONSchemaProps).
    this.schemas.set(name, definition)
    Object.assign(definition, this.structSchema(name, SchemaAST.toType(ast)))
    const mapType = definitions[name]?.mapType
    if (mapType !== undefined) definition["x-kubernetes-map-type"] = mapType
    const groupVersionKinds = groupVersionKindsOf(name)
    if (groupVersionKinds !== undefined) definition["x-kubernetes-group-version-kind"] = groupVersionKinds
  }

  /** Adds a definition given as JSON (a scalar, a list, a custom resource). */
  addJson(name: string, schema: JsonObject): void {
    if (!this.schemas.has(name)) this.schemas.set(name, schema)
  }

  /** The schema of an object with declared fields; `owner` names it for the patch metadata lookups. */
  private structSchema(owner: string | undefined, ast: SchemaAST.AST): JsonObject {
    if (ast._tag !== "Objects") return this.valueSchema(ast, undefined)
    const properties: JsonObject = {}
    const required: Array<string> = []
    for (const signature of ast.propertySignatures) {
      const field = String(signature.name)
      if (!SchemaAST.isOptional(signature.type)) required.push(field)
      const type = owner === undefined ? undefined : definitions[owner]?.fields[field]?.type
      const schema = this.valueSchema(signature.type, type)
      properties[field] = owner === undefined ? schema : this.extend(schema, fieldExtensions(owner, field))
    }
    return { type: "object", ...(required.length === 0 ? {} : { required: required.sort() }), properties }
  }

  /**
   * The schema of a field's value. `definition` is the patch metadata's name
   * for the object the value is (or, for lists and maps, holds).
   */
  private valueSchema(ast: SchemaAST.AST, definition: string | undefined): JsonObject {
    const scalar = annotatedDefinition(ast)
    if (scalar !== undefined) {
      this.addJson(scalar, scalarDefinitions[scalar] ?? {})
      return this.reference(scalar)
    }
    const node = SchemaAST.toType(ast)
    switch (node._tag) {
      case "Suspend":
        return this.valueSchema(node.thunk(), definition)
      case "String":
        return { type: "string" }
      case "Boolean":
        return { type: "boolean" }
      case "Number":
        return node.checks === undefined ? { type: "number", format: "double" } : { type: "integer" }
      case "Arrays": {
        const item = node.rest[0]
        return { type: "array", ...(item === undefined ? {} : { items: this.valueSchema(item, definition) }) }
      }
      case "Objects": {
        if (node.propertySignatures.length > 0) {
          if (definition === undefined) return this.structSchema(undefined, node)
          this.addStruct(definition, node)
          return this.reference(definition)
        }
        const values = node.indexSignatures[0]?.type
        if (values === undefined || values._tag === "Unknown") return { type: "object" }
        return { type: "object", additionalProperties: this.valueSchema(values, definition) }
      }
      case "Union":
        return { anyOf: node.types.map((member) => this.valueSchema(member, definition)) }
      default:
        return {}
    }
  }
}

/** The definition name the real server gives a custom resource's kind (`com.example.stable.v1.CronTab`). */
const customDefinitionName = (type: ResourceType, kind: string): string =>
  `${type.group.split(".").reverse().join(".")}.${type.version}.${kind}`

/** The names of a type's kind and list definitions, or `undefined` when there is no schema to describe it with. */
const definitionNames = (type: ResourceType): { readonly kind: string; readonly list: string } | undefined => {
  if (type.custom)
    return { kind: customDefinitionName(type, type.kind), list: customDefinitionName(type, type.listKind) }
  if (type.definition === undefined || type.ast === undefined) return undefined
  return { kind: type.definition, list: kinds[type.apiVersion]?.[type.listKind] ?? `${type.definition}List` }
}

const groupVersionKind = (type: ResourceType, kind: string): JsonObject => ({
  group: type.group,
  kind,
  version: type.version
})

/** Adds a type's kind and list definitions (and what they refer to). */
const addType = (set: DefinitionSet, type: ResourceType, names: { readonly kind: string; readonly list: string }) => {
  if (type.custom) {
    set.addStruct(objectMetaName, ObjectMeta.ast)
    const schema: JsonObject = type.openApiSchema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true }
    const properties = typeof schema.properties === "object" && schema.properties !== null ? schema.properties : {}
    set.addJson(names.kind, {
      ...schema,
      type: "object",
      properties: {
        ...properties,
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: set.reference(objectMetaName)
      },
      "x-kubernetes-group-version-kind": [groupVersionKind(type, type.kind)]
    })
  } else if (type.ast !== undefined) {
    set.addStruct(names.kind, type.ast)
  }
  set.addStruct(listMetaName, ListMeta.ast)
  set.addJson(names.list, {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      items: { type: "array", items: set.reference(names.kind) },
      kind: { type: "string" },
      metadata: set.reference(listMetaName)
    },
    "x-kubernetes-group-version-kind": [groupVersionKind(type, type.listKind)]
  })
}

/** Subresources that stream or proxy (`kubectl exec`): the spec marks their operations `connect`. */
const connectSubresources = new Set(["attach", "exec", "portforward", "proxy"])

/** Adds the paths of one type: list and get, and an operation for every other verb and subresource it serves. */
const addPaths = (
  paths: JsonObject,
  set: DefinitionSet,
  type: ResourceType,
  names: { readonly kind: string; readonly list: string }
): void => {
  const prefix = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`
  const scope = type.namespaced ? "/namespaces/{namespace}" : ""
  const parameter = (name: string): JsonObject =>
    set.flavor === "v3"
      ? { name, in: "path", required: true, schema: { type: "string", uniqueItems: true } }
      : { name, in: "path", required: true, type: "string", uniqueItems: true }
  const pathParameters = (withName: boolean): Array<JsonObject> => [
    ...(withName ? [parameter("name")] : []),
    ...(type.namespaced ? [parameter("namespace")] : [])
  ]
  const response = (definition: string | undefined): JsonObject => {
    if (definition === undefined) return { "200": { description: "OK" } }
    const schema = set.reference(definition)
    return {
      "200":
        set.flavor === "v3"
          ? { description: "OK", content: { "application/json": { schema } } }
          : { description: "OK", schema }
    }
  }
  const operation = (
    action: string,
    definition: string | undefined,
    kind: JsonObject = groupVersionKind(type, type.kind)
  ): JsonObject => ({
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": kind,
    responses: response(definition)
  })
  const add = (path: string, withName: boolean, method: string, value: JsonObject) => {
    const item = paths[path]
    const pathItem: JsonObject =
      typeof item === "object" && item !== null && !Array.isArray(item)
        ? { ...item }
        : { parameters: pathParameters(withName) }
    pathItem[method] = value
    paths[path] = pathItem
  }
  const collection = `${prefix}${scope}/${type.plural}`
  const object = `${collection}/{name}`
  const verbs = new Set(type.verbs)
  if (verbs.has("list")) {
    add(collection, false, "get", operation("list", names.list))
    if (type.namespaced) add(`${prefix}/${type.plural}`, false, "get", operation("list", names.list))
  }
  if (verbs.has("create")) add(collection, false, "post", operation("post", names.kind))
  if (verbs.has("deletecollection")) {
    set.addStruct(statusName, Status.ast)
    add(collection, false, "delete", operation("deletecollection", statusName))
  }
  if (verbs.has("get")) add(object, true, "get", operation("get", names.kind))
  if (verbs.has("update")) add(object, true, "put", operation("put", names.kind))
  if (verbs.has("patch")) add(object, true, "patch", operation("patch", names.kind))
  if (verbs.has("delete")) add(object, true, "delete", operation("delete", names.kind))
  if (verbs.has("watch")) {
    add(`${prefix}/watch${scope}/${type.plural}`, false, "get", operation("watchlist", undefined))
    add(`${prefix}/watch${scope}/${type.plural}/{name}`, true, "get", operation("watch", undefined))
  }
  for (const subresource of type.subresources) {
    const path = `${object}/${subresource}`
    const subresourceVerbs = Discovery.subresourceVerbsOf(subresource)
    const connect = connectSubresources.has(subresource)
    const ownKind = subresourceKinds[subresource]
    if (ownKind !== undefined) set.addStruct(ownKind.definition, ownKind.ast)
    const body = ownKind?.definition ?? (subresource === "status" ? names.kind : undefined)
    const subresourceOperation = (action: string) =>
      operation(connect ? "connect" : action, body, ownKind?.groupVersionKind)
    if (subresourceVerbs.includes("get")) add(path, true, "get", subresourceOperation("get"))
    if (subresourceVerbs.includes("create")) add(path, true, "post", subresourceOperation("post"))
    if (subresourceVerbs.includes("update")) add(path, true, "put", subresourceOperation("put"))
    if (subresourceVerbs.includes("patch")) add(path, true, "patch", subresourceOperation("patch"))
  }
}

/** The paths and definitions of a set of served types. */
const describe = (flavor: Flavor, types: ReadonlyArray<ResourceType>) => {
  const set = new DefinitionSet(flavor)
  const paths: JsonObject = {}
  for (const type of types) {
    const names = definitionNames(type)
    if (names === undefined) continue
    addType(set, type, names)
    addPaths(paths, set, type, names)
  }
  const sortedPaths: JsonObject = {}
  for (const path of Object.keys(paths).sort()) sortedPaths[path] = paths[path]
  const schemas: JsonObject = {}
  for (const name of [...set.schemas.keys()].sort()) schemas[name] = set.schemas.get(name)
  return { paths: sortedPaths, schemas }
}

const info = { title: "Kubernetes", version: Discovery.version.gitVersion }

/** The group-version path a document is served under (`api/v1`, `apis/apps/v1`). */
const groupVersionPath = (group: string, version: string): string =>
  group === "" ? `api/${version}` : `apis/${group}/${version}`

/** Whether two lists hold the same type objects (types are rebuilt whenever a CRD changes). */
const sameTypes = (left: ReadonlyArray<ResourceType>, right: ReadonlyArray<ResourceType>): boolean =>
  left.length === right.length && left.every((type, index) => type === right[index])

interface Cached {
  readonly types: ReadonlyArray<ResourceType>
  readonly hash: string
  document: string | undefined
}

/** What the documents of a group-version are built from, hashed for the index's `?hash=`. */
const fingerprint = (types: ReadonlyArray<ResourceType>): string =>
  createHash("sha512")
    .update(
      JSON.stringify(
        types.map((type) => [
          type.kind,
          type.plural,
          type.namespaced,
          type.verbs,
          type.subresources,
          type.openApiSchema
        ])
      )
    )
    .digest("hex")
    .toUpperCase()

/** The OpenAPI documents of a server, built lazily and cached. */
export class OpenApiDocuments {
  private readonly groupVersions = new Map<string, Cached>()
  private v2: { readonly types: ReadonlyArray<ResourceType>; readonly document: string } | undefined

  private entry(path: string, types: ReadonlyArray<ResourceType>): Cached {
    const cached = this.groupVersions.get(path)
    if (cached !== undefined && sameTypes(cached.types, types)) return cached
    const fresh: Cached = { types, hash: fingerprint(types), document: undefined }
    this.groupVersions.set(path, fresh)
    return fresh
  }

  private byGroupVersion(types: ReadonlyArray<ResourceType>): Map<string, Array<ResourceType>> {
    const grouped = new Map<string, Array<ResourceType>>()
    for (const type of types) {
      if (definitionNames(type) === undefined) continue
      const path = groupVersionPath(type.group, type.version)
      const list = grouped.get(path) ?? []
      list.push(type)
      grouped.set(path, list)
    }
    return grouped
  }

  /** The `/openapi/v3` index: every group-version and the URL of its document. */
  index(types: ReadonlyArray<ResourceType>): string {
    const paths: JsonObject = {}
    const grouped = this.byGroupVersion(types)
    // A group-version whose last CRD was deleted drops its cached document.
    for (const path of this.groupVersions.keys()) if (!grouped.has(path)) this.groupVersions.delete(path)
    for (const path of [...grouped.keys()].sort()) {
      const entry = this.entry(path, grouped.get(path) ?? [])
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${entry.hash}` }
    }
    return JSON.stringify({ paths })
  }

  /** The `/openapi/v3/<path>` document, or `undefined` when no group-version is served there. */
  groupVersion(path: string, types: ReadonlyArray<ResourceType>): string | undefined {
    const served = this.byGroupVersion(types).get(path)
    if (served === undefined) {
      this.groupVersions.delete(path)
      return undefined
    }
    const entry = this.entry(path, served)
    if (entry.document === undefined) {
      const { paths, schemas } = describe("v3", served)
      entry.document = JSON.stringify({ openapi: "3.0.0", info, paths, components: { schemas } })
    }
    return entry.document
  }

  /** The `/openapi/v2` document of every served type. */
  swagger(types: ReadonlyArray<ResourceType>): string {
    if (this.v2 !== undefined && sameTypes(this.v2.types, types)) return this.v2.document
    const { paths, schemas } = describe("v2", types)
    const document = JSON.stringify({ swagger: "2.0", info, paths, definitions: schemas })
    this.v2 = { types, document }
    return document
  }
}
