/**
 * The generated API as a model: every definition placed in its module, the
 * kinds that get a resource descriptor, the list definitions that become
 * `ObjectList<K>`, and each module's definitions in an order where a schema is
 * declared after the schemas it uses. References inside one strongly connected
 * group (JSONSchemaProps refers to itself) are the only ones that need
 * `Schema.suspend`.
 */
import { type Placement, place } from "./Placement.js"
import * as Resources from "./Resources.js"
import { referenceOf, type SchemaObject, type Spec } from "./Spec.js"

/** One definition of the spec, as the generator sees it. */
export interface Definition {
  /** The OpenAPI name (`io.k8s.api.core.v1.Pod`). */
  readonly id: string
  readonly placement: Placement
  readonly schema: SchemaObject
  /** Set when the definition is a kind with a list operation. */
  readonly resource: Resources.ResourceInfo | undefined
  /** Set when the definition is the list type of a kind with a descriptor: that kind's id. */
  readonly listOf: string | undefined
  /** The ids of the definitions in the same module it refers to and cannot be declared before. */
  readonly cyclic: ReadonlySet<string>
}

/** One generated module (`core/v1`). */
export interface Module {
  readonly path: string
  /** Definitions in declaration order. */
  readonly definitions: ReadonlyArray<Definition>
}

/** The whole generated API. */
export interface Api {
  readonly source: string
  readonly definitions: ReadonlyMap<string, Definition>
  readonly modules: ReadonlyArray<Module>
  /** Definitions outside `io.k8s.*` (custom resources of a live cluster), left out of the generated API. */
  readonly skipped: ReadonlyArray<string>
}

/** Whether a definition is part of the Kubernetes API (`io.k8s.*`) rather than a custom resource of one cluster. */
const isKubernetesDefinition = (id: string): boolean => id.startsWith("io.k8s.")

/** Every definition a schema refers to, in document order. */
export const referencesOf = (schema: SchemaObject): Array<string> => {
  const found: Array<string> = []
  const visit = (node: SchemaObject): void => {
    const reference = referenceOf(node)
    if (reference !== undefined) found.push(reference)
    for (const member of node.allOf ?? []) if (member.$ref === undefined) visit(member)
    for (const member of node.anyOf ?? []) visit(member)
    for (const property of Object.values(node.properties ?? {})) visit(property)
    if (node.items !== undefined) visit(node.items)
    if (typeof node.additionalProperties === "object") visit(node.additionalProperties)
  }
  visit(schema)
  return found
}

/**
 * Whether a list definition has exactly the shape `ObjectList<K>` models:
 * apiVersion, kind, metadata (ListMeta) and items of the kind.
 */
const isListOf = (list: SchemaObject, kind: string): boolean => {
  const properties = list.properties ?? {}
  const names = Object.keys(properties).sort()
  const items = properties.items
  const metadata = properties.metadata
  return (
    names.join(",") === "apiVersion,items,kind,metadata" &&
    items?.type === "array" &&
    items.items !== undefined &&
    referenceOf(items.items) === kind &&
    metadata !== undefined &&
    referenceOf(metadata) === "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
  )
}

/**
 * Orders a module's definitions so each comes after those it uses, and
 * reports, for each, the references that close a cycle (Tarjan's strongly
 * connected components, visited in name order so the output is stable).
 */
const order = (
  ids: ReadonlyArray<string>,
  edges: (id: string) => ReadonlyArray<string>
): { readonly ordered: ReadonlyArray<string>; readonly cyclic: ReadonlyMap<string, ReadonlySet<string>> } => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const ordered: Array<string> = []
  const cyclic = new Map<string, ReadonlySet<string>>()
  let next = 0
  const connect = (id: string): void => {
    index.set(id, next)
    low.set(id, next)
    next++
    stack.push(id)
    onStack.add(id)
    for (const target of edges(id)) {
      if (!index.has(target)) {
        connect(target)
        low.set(id, Math.min(low.get(id) ?? 0, low.get(target) ?? 0))
      } else if (onStack.has(target)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(target) ?? 0))
      }
    }
    if (low.get(id) !== index.get(id)) return
    const component: Array<string> = []
    let member: string | undefined
    do {
      member = stack.pop()
      if (member === undefined) break
      onStack.delete(member)
      component.push(member)
    } while (member !== id)
    component.sort()
    const members = new Set(component)
    for (const member of component) {
      const inside = edges(member).filter((target) => members.has(target))
      if (inside.length > 0) cyclic.set(member, new Set(inside))
      ordered.push(member)
    }
  }
  for (const id of ids) if (!index.has(id)) connect(id)
  return { ordered, cyclic }
}

/** Builds the model of the API a spec describes. */
export const fromSpec = (fullSpec: Spec): Api => {
  // A live cluster's documents also describe its custom resources (`com.example.v1.Widget`); the
  // generated API is Kubernetes' own, so those definitions and the resources only they carry are left out.
  const skipped = [...fullSpec.definitions.keys()].filter((id) => !isKubernetesDefinition(id))
  const skippedKinds = new Set(
    skipped.flatMap((id) =>
      (fullSpec.definitions.get(id)?.["x-kubernetes-group-version-kind"] ?? []).map(
        (gvk) => `${gvk.group}/${gvk.version}/${gvk.kind}`
      )
    )
  )
  const spec: Spec = {
    ...fullSpec,
    definitions: new Map([...fullSpec.definitions].filter(([id]) => isKubernetesDefinition(id)))
  }
  const resources = new Map(
    [...Resources.fromOperations(spec.operations, referenceOf)].filter(([key]) => !skippedKinds.has(key))
  )
  const resourceOf = new Map<string, Resources.ResourceInfo>()
  const listOf = new Map<string, string>()
  for (const [id, schema] of spec.definitions) {
    for (const gvk of schema["x-kubernetes-group-version-kind"] ?? []) {
      const resource = resources.get(`${gvk.group}/${gvk.version}/${gvk.kind}`)
      if (resource === undefined) continue
      if (resourceOf.has(id)) throw new Error(`${id} is the object of two resources`)
      resourceOf.set(id, resource)
      const list = resource.listResponse
      const listSchema = list === undefined ? undefined : spec.definitions.get(list)
      if (list !== undefined && listSchema !== undefined && isListOf(listSchema, id)) listOf.set(list, id)
    }
  }
  for (const [key, resource] of resources) {
    if (![...resourceOf.values()].includes(resource)) throw new Error(`no definition for resource ${key}`)
  }

  const placements = new Map([...spec.definitions.keys()].map((id) => [id, place(id)]))
  const byModule = new Map<string, Array<string>>()
  for (const [id, placement] of placements) {
    if (placement.module === undefined) continue
    const ids = byModule.get(placement.module) ?? []
    ids.push(id)
    byModule.set(placement.module, ids)
  }
  for (const id of spec.definitions.keys()) {
    for (const target of referencesOf(spec.definitions.get(id) ?? {})) {
      if (!spec.definitions.has(target)) throw new Error(`${id} refers to the missing definition ${target}`)
    }
  }

  const definitions = new Map<string, Definition>()
  const modules: Array<Module> = []
  for (const [path, ids] of [...byModule].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const inModule = new Set(ids)
    const edges = (id: string): ReadonlyArray<string> =>
      [...new Set(referencesOf(spec.definitions.get(id) ?? {}))].filter((target) => inModule.has(target)).sort()
    const { ordered, cyclic } = order(ids, edges)
    const moduleDefinitions = ordered.map((id): Definition => {
      const placement = placements.get(id)
      const schema = spec.definitions.get(id)
      if (placement === undefined || schema === undefined) throw new Error(`lost definition ${id}`)
      return {
        id,
        placement,
        schema,
        resource: resourceOf.get(id),
        listOf: listOf.get(id),
        cyclic: cyclic.get(id) ?? new Set()
      }
    })
    for (const definition of moduleDefinitions) definitions.set(definition.id, definition)
    modules.push({ path, definitions: moduleDefinitions })
  }
  for (const [id, placement] of placements) {
    if (placement.module !== undefined) continue
    const schema = spec.definitions.get(id) ?? {}
    definitions.set(id, { id, placement, schema, resource: undefined, listOf: undefined, cyclic: new Set() })
  }
  return { source: spec.source, definitions, modules, skipped }
}
