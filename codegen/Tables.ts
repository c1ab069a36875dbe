/**
 * Renders the two whole-API modules: `registry.ts`, every resource descriptor
 * with lookups by kind and by plural, and `patchMetadata.ts`, the per-field
 * list and map semantics (`x-kubernetes-patch-strategy`, `-patch-merge-key`,
 * `-list-type`, `-list-map-keys`, `-map-type`) that strategic merge patch and
 * server-side apply need, as a plain table keyed by OpenAPI definition name.
 * Neither is imported by the group-version modules, so neither reaches a
 * bundle that does not ask for it.
 */
import type { Api } from "./Model.js"
import { moduleAlias } from "./Placement.js"
import { referenceOf, type SchemaObject } from "./Spec.js"
import { header } from "./Text.js"

/** Renders `src/api/registry.ts`. */
export const registry = (api: Api): string => {
  const entries = api.modules.flatMap((module) =>
    module.definitions.flatMap((definition) =>
      definition.resource === undefined ? [] : [`${moduleAlias(module.path)}.${definition.placement.name}`]
    )
  )
  const imports = api.modules
    .filter((module) => module.definitions.some((definition) => definition.resource !== undefined))
    .map((module) => `import * as ${moduleAlias(module.path)} from "./${module.path}.js"`)
  return `${header(api.source)}
/**
 * Every resource descriptor of the generated API, with lookups by apiVersion
 * and kind and by group, version and plural: what a test API server or a
 * generic tool needs to serve or address any built-in kind.
 *
 * Importing this module pulls every group-version module, and so every schema,
 * into a bundle. The group-version modules never import it; programs that know
 * their kinds import those modules instead.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type * as Resource from "../core/Resource.js"
${imports.join("\n")}

/** Every resource descriptor, ordered by module and kind. */
export const resources: ReadonlyArray<Resource.Resource<Resource.KubeObject>> = [
  ${entries.join(",\n  ")}
]

const byKind = new Map(resources.map((resource) => [\`\${resource.apiVersion} \${resource.kind}\`, resource]))

const byPlural = new Map(
  resources.map((resource) => [\`\${resource.group} \${resource.version} \${resource.plural}\`, resource])
)

/**
 * The descriptor of a kind (\`findByKind("apps/v1", "Deployment")\`).
 *
 * @category lookups
 */
export const findByKind = (apiVersion: string, kind: string): Option.Option<Resource.Resource<Resource.KubeObject>> =>
  Option.fromUndefinedOr(byKind.get(\`\${apiVersion} \${kind}\`))

/**
 * The descriptor served at a group, version and plural
 * (\`findByPlural("apps", "v1", "deployments")\`; the core group is \`""\`).
 *
 * @category lookups
 */
export const findByPlural = (
  group: string,
  version: string,
  plural: string
): Option.Option<Resource.Resource<Resource.KubeObject>> =>
  Option.fromUndefinedOr(byPlural.get(\`\${group} \${version} \${plural}\`))
`
}

const listTypes = new Set(["atomic", "set", "map"])
const mapTypes = new Set(["atomic", "granular"])
const patchStrategies = new Set(["merge", "replace", "retainKeys"])

/** The patch metadata of one field, as the object literal the table holds, or `undefined` when it has none. */
const fieldMetadata = (api: Api, owner: string, field: string, node: SchemaObject): string | undefined => {
  const where = `${owner}.${field}`
  const entries: Array<string> = []
  const value =
    node.type === "array"
      ? node.items
      : typeof node.additionalProperties === "object"
        ? node.additionalProperties
        : node
  const reference = value === undefined ? undefined : referenceOf(value)
  const target = reference === undefined ? undefined : api.definitions.get(reference)
  if (reference !== undefined && target?.schema.properties !== undefined)
    entries.push(`type: ${JSON.stringify(reference)}`)
  const strategy = node["x-kubernetes-patch-strategy"]
  if (strategy !== undefined) {
    const parts = strategy.split(",")
    if (!parts.every((part) => patchStrategies.has(part)))
      throw new Error(`${where}: unknown patch strategy ${strategy}`)
    entries.push(`patchStrategy: ${JSON.stringify(parts)}`)
  }
  const mergeKey = node["x-kubernetes-patch-merge-key"]
  if (mergeKey !== undefined) entries.push(`patchMergeKey: ${JSON.stringify(mergeKey)}`)
  const listType = node["x-kubernetes-list-type"]
  if (listType !== undefined) {
    if (!listTypes.has(listType)) throw new Error(`${where}: unknown list type ${listType}`)
    entries.push(`listType: ${JSON.stringify(listType)}`)
  }
  const mapKeys = node["x-kubernetes-list-map-keys"]
  if (mapKeys !== undefined) entries.push(`listMapKeys: ${JSON.stringify(mapKeys)}`)
  const mapType = node["x-kubernetes-map-type"]
  if (mapType !== undefined) {
    if (!mapTypes.has(mapType)) throw new Error(`${where}: unknown map type ${mapType}`)
    entries.push(`mapType: ${JSON.stringify(mapType)}`)
  }
  return entries.length === 0 ? undefined : `{ ${entries.join(", ")} }`
}

/** Renders `src/api/patchMetadata.ts`. */
export const patchMetadata = (api: Api): string => {
  const definitions: Array<string> = []
  const kinds = new Map<string, Map<string, string>>()
  for (const [id, definition] of [...api.definitions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const schema = definition.schema
    for (const gvk of schema["x-kubernetes-group-version-kind"] ?? []) {
      const apiVersion = gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`
      const byKind = kinds.get(apiVersion) ?? new Map<string, string>()
      if (!byKind.has(gvk.kind)) byKind.set(gvk.kind, id)
      kinds.set(apiVersion, byKind)
    }
    if (schema.properties === undefined) continue
    const fields = Object.entries(schema.properties).flatMap(([field, node]) => {
      const metadata = fieldMetadata(api, id, field, node)
      return metadata === undefined ? [] : [`${JSON.stringify(field)}: ${metadata}`]
    })
    const mapType = schema["x-kubernetes-map-type"]
    if (mapType !== undefined && !mapTypes.has(mapType)) throw new Error(`${id}: unknown map type ${mapType}`)
    if (fields.length === 0 && mapType === undefined) continue
    const parts = [
      ...(mapType === undefined ? [] : [`mapType: ${JSON.stringify(mapType)}`]),
      `fields: { ${fields.join(", ")} }`
    ]
    definitions.push(`${JSON.stringify(id)}: { ${parts.join(", ")} }`)
  }
  const kindEntries = [...kinds]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(
      ([apiVersion, byKind]) =>
        `${JSON.stringify(apiVersion)}: { ${[...byKind]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([kind, id]) => `${JSON.stringify(kind)}: ${JSON.stringify(id)}`)
          .join(", ")} }`
    )
  return `${header(api.source)}
/**
 * How strategic merge patch and server-side apply treat each field of each
 * definition, read from the spec's \`x-kubernetes-*\` extensions so the
 * in-memory API server can merge without the spec at run time. A definition
 * appears when one of its fields is an object (\`type\` names its definition,
 * for lists and maps the definition of the items or values) or carries list
 * or map semantics; fields not listed are scalars or free-form values, merged
 * by replacement.
 *
 * Keys are OpenAPI definition names (\`io.k8s.api.core.v1.PodSpec\`), the names
 * server-side apply uses; \`kinds\` maps an apiVersion and kind to one.
 *
 * @since 0.1.0
 */

/**
 * The merge semantics of one field.
 *
 * @category models
 */
export interface FieldMetadata {
  /** The definition of the field's object value, or of a list's items or a map's values. */
  readonly type?: string
  /** \`x-kubernetes-patch-strategy\`: how strategic merge patch combines the field. */
  readonly patchStrategy?: ReadonlyArray<"merge" | "replace" | "retainKeys">
  /** \`x-kubernetes-patch-merge-key\`: the item field that identifies list items for a merge. */
  readonly patchMergeKey?: string
  /** \`x-kubernetes-list-type\`: how server-side apply owns the list. */
  readonly listType?: "atomic" | "set" | "map"
  /** \`x-kubernetes-list-map-keys\`: the item fields that identify items of a \`map\` list. */
  readonly listMapKeys?: ReadonlyArray<string>
  /** \`x-kubernetes-map-type\`: whether a map or object is owned as a whole. */
  readonly mapType?: "atomic" | "granular"
}

/**
 * The merge semantics of one definition's fields.
 *
 * @category models
 */
export interface DefinitionMetadata {
  /** \`x-kubernetes-map-type\` of the object itself (\`atomic\`: replaced as a whole). */
  readonly mapType?: "atomic" | "granular"
  readonly fields: { readonly [field: string]: FieldMetadata }
}

/**
 * Every definition with field metadata, by OpenAPI name.
 *
 * @category tables
 */
export const definitions: { readonly [definition: string]: DefinitionMetadata } = {
  ${definitions.join(",\n  ")}
}

/**
 * The OpenAPI definition of every kind, by apiVersion and kind
 * (\`kinds["apps/v1"]?.Deployment\` is \`"io.k8s.api.apps.v1.Deployment"\`).
 *
 * @category tables
 */
export const kinds: { readonly [apiVersion: string]: { readonly [kind: string]: string } } = {
  ${kindEntries.join(",\n  ")}
}
`
}
