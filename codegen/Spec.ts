/**
 * The part of a Kubernetes OpenAPI document the generator reads, checked with
 * Schema as it is loaded: the definitions (v2 `definitions`, v3
 * `components.schemas`) and, for every operation, its path, its Kubernetes
 * action and group-version-kind, and the schema of its 200 response. OpenAPI
 * v2 and v3 documents both load into one `Spec`, so the rest of the generator
 * never sees which version it came from.
 */
import { Schema } from "effect"

/** A group, version and kind as the `x-kubernetes-group-version-kind` extension writes it. */
export interface GroupVersionKind {
  readonly group: string
  readonly version: string
  readonly kind: string
}

const GroupVersionKind: Schema.Codec<GroupVersionKind> = Schema.Struct({
  group: Schema.String,
  version: Schema.String,
  kind: Schema.String
})

/**
 * The JSON Schema subset Kubernetes uses, with the `x-kubernetes-*` extensions
 * the generator acts on. `x-kubernetes-preserve-unknown-fields` needs no
 * handling: every generated object schema keeps unknown fields, and an object
 * without properties is a free-form `{ [key: string]: unknown }`.
 */
export interface SchemaObject {
  readonly $ref?: string
  readonly allOf?: ReadonlyArray<SchemaObject>
  readonly anyOf?: ReadonlyArray<SchemaObject>
  readonly type?: string
  readonly format?: string
  readonly description?: string
  readonly properties?: { readonly [name: string]: SchemaObject }
  readonly required?: ReadonlyArray<string>
  readonly items?: SchemaObject
  readonly additionalProperties?: SchemaObject | boolean
  readonly "x-kubernetes-group-version-kind"?: ReadonlyArray<GroupVersionKind>
  readonly "x-kubernetes-int-or-string"?: boolean
  readonly "x-kubernetes-list-type"?: string
  readonly "x-kubernetes-list-map-keys"?: ReadonlyArray<string>
  readonly "x-kubernetes-map-type"?: string
  readonly "x-kubernetes-patch-strategy"?: string
  readonly "x-kubernetes-patch-merge-key"?: string
}

const SchemaObject: Schema.Codec<SchemaObject> = Schema.Struct({
  $ref: Schema.optionalKey(Schema.String),
  allOf: Schema.optionalKey(Schema.Array(Schema.suspend((): Schema.Codec<SchemaObject> => SchemaObject))),
  anyOf: Schema.optionalKey(Schema.Array(Schema.suspend((): Schema.Codec<SchemaObject> => SchemaObject))),
  type: Schema.optionalKey(Schema.String),
  format: Schema.optionalKey(Schema.String),
  description: Schema.optionalKey(Schema.String),
  properties: Schema.optionalKey(
    Schema.Record(
      Schema.String,
      Schema.suspend((): Schema.Codec<SchemaObject> => SchemaObject)
    )
  ),
  required: Schema.optionalKey(Schema.Array(Schema.String)),
  items: Schema.optionalKey(Schema.suspend((): Schema.Codec<SchemaObject> => SchemaObject)),
  additionalProperties: Schema.optionalKey(
    Schema.Union([Schema.Boolean, Schema.suspend((): Schema.Codec<SchemaObject> => SchemaObject)])
  ),
  "x-kubernetes-group-version-kind": Schema.optionalKey(Schema.Array(GroupVersionKind)),
  "x-kubernetes-int-or-string": Schema.optionalKey(Schema.Boolean),
  "x-kubernetes-list-type": Schema.optionalKey(Schema.String),
  "x-kubernetes-list-map-keys": Schema.optionalKey(Schema.Array(Schema.String)),
  "x-kubernetes-map-type": Schema.optionalKey(Schema.String),
  "x-kubernetes-patch-strategy": Schema.optionalKey(Schema.String),
  "x-kubernetes-patch-merge-key": Schema.optionalKey(Schema.String)
})

const Info = Schema.Struct({ title: Schema.String, version: Schema.String })

const operationFields = {
  "x-kubernetes-action": Schema.optionalKey(Schema.String),
  "x-kubernetes-group-version-kind": Schema.optionalKey(GroupVersionKind)
}

const V2Operation = Schema.Struct({
  ...operationFields,
  responses: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Struct({ schema: Schema.optionalKey(SchemaObject) }))
  )
})

const V3Operation = Schema.Struct({
  ...operationFields,
  responses: Schema.optionalKey(
    Schema.Record(
      Schema.String,
      Schema.Struct({
        content: Schema.optionalKey(
          Schema.Record(Schema.String, Schema.Struct({ schema: Schema.optionalKey(SchemaObject) }))
        )
      })
    )
  )
})

const methods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

const pathItem = <Operation extends Schema.Top>(operation: Operation) =>
  Schema.Struct({
    get: Schema.optionalKey(operation),
    put: Schema.optionalKey(operation),
    post: Schema.optionalKey(operation),
    delete: Schema.optionalKey(operation),
    patch: Schema.optionalKey(operation),
    head: Schema.optionalKey(operation),
    options: Schema.optionalKey(operation)
  })

const V2Document = Schema.Struct({
  swagger: Schema.Literal("2.0"),
  info: Info,
  definitions: Schema.Record(Schema.String, SchemaObject),
  paths: Schema.Record(Schema.String, pathItem(V2Operation))
})

const V3Document = Schema.Struct({
  openapi: Schema.String,
  info: Info,
  components: Schema.optionalKey(
    Schema.Struct({ schemas: Schema.optionalKey(Schema.Record(Schema.String, SchemaObject)) })
  ),
  paths: Schema.optionalKey(Schema.Record(Schema.String, pathItem(V3Operation)))
})

/** One API operation, with what the generator needs to know about it. */
export interface Operation {
  readonly path: string
  readonly method: (typeof methods)[number]
  /** `x-kubernetes-action`: get, list, watch, watchlist, post, put, patch, delete, deletecollection, connect. */
  readonly action: string | undefined
  readonly groupVersionKind: GroupVersionKind | undefined
  /** The schema of the 200 response body, when the operation declares one. */
  readonly response: SchemaObject | undefined
}

/** A loaded specification: every definition by name, every operation. */
export interface Spec {
  /** What the spec was read from, for the header of generated files (`Kubernetes OpenAPI v2 swagger-v1.35.0.json`). */
  readonly source: string
  readonly definitions: ReadonlyMap<string, SchemaObject>
  readonly operations: ReadonlyArray<Operation>
}

const sortedMap = <A>(entries: Iterable<readonly [string, A]>): ReadonlyMap<string, A> =>
  new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const parseJson = (text: string, origin: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new Error(`${origin}: not JSON`, { cause })
  }
}

/** Loads an OpenAPI v2 document (`/openapi/v2`, `api/openapi-spec/swagger.json`). */
export const fromV2 = (text: string, origin: string): Spec => {
  const document = Schema.decodeUnknownSync(V2Document)(parseJson(text, origin))
  const operations: Array<Operation> = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = item[method]
      if (operation === undefined) continue
      operations.push({
        path,
        method,
        action: operation["x-kubernetes-action"],
        groupVersionKind: operation["x-kubernetes-group-version-kind"],
        response: operation.responses?.["200"]?.schema
      })
    }
  }
  return {
    source: `${document.info.title} OpenAPI v2 ${origin}`,
    definitions: sortedMap(Object.entries(document.definitions)),
    operations
  }
}

/**
 * Loads a set of OpenAPI v3 documents (`/openapi/v3/api/v1`,
 * `/openapi/v3/apis/apps/v1`, ...) as one spec. Every document repeats the
 * shared definitions (ObjectMeta, Status, ...); the first document, in the
 * order given, wins.
 */
export const fromV3 = (
  documents: ReadonlyArray<{ readonly text: string; readonly origin: string }>,
  origin: string
): Spec => {
  const definitions = new Map<string, SchemaObject>()
  const operations: Array<Operation> = []
  let title = "Kubernetes"
  for (const { text, origin: documentOrigin } of documents) {
    const document = Schema.decodeUnknownSync(V3Document)(parseJson(text, documentOrigin))
    title = document.info.title
    for (const [name, definition] of Object.entries(document.components?.schemas ?? {})) {
      if (!definitions.has(name)) definitions.set(name, definition)
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of methods) {
        const operation = item[method]
        if (operation === undefined) continue
        operations.push({
          path,
          method,
          action: operation["x-kubernetes-action"],
          groupVersionKind: operation["x-kubernetes-group-version-kind"],
          response: operation.responses?.["200"]?.content?.["application/json"]?.schema
        })
      }
    }
  }
  return { source: `${title} OpenAPI v3 ${origin}`, definitions: sortedMap(definitions), operations }
}

/**
 * The definition a schema refers to: `$ref` (`#/definitions/X` in v2,
 * `#/components/schemas/X` in v3), or a lone `allOf` member carrying one (v3
 * writes a reference with a description that way).
 */
export const referenceOf = (schema: SchemaObject): string | undefined => {
  const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]?.$ref : undefined)
  if (ref === undefined) return undefined
  const match = /^#\/(?:definitions|components\/schemas)\/(.+)$/.exec(ref)
  if (match?.[1] === undefined) throw new Error(`unsupported reference ${ref}`)
  return match[1]
}

const V3Index = Schema.Struct({
  paths: Schema.Record(Schema.String, Schema.Struct({ serverRelativeURL: Schema.String }))
})

/** Reads the `/openapi/v3` index: every group-version path and the URL of its document. */
export const decodeV3Index = (text: string): typeof V3Index.Type =>
  Schema.decodeUnknownSync(V3Index)(parseJson(text, "/openapi/v3"))
