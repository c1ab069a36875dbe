/**
 * Server-side apply and field ownership as kube-apiserver's field manager
 * keeps them (structured-merge-diff): the field set of an applied
 * configuration, its merge into the live object, the removal of fields the
 * applier stopped applying, conflicts with other managers, and the "Update"
 * entries every other write records in `metadata.managedFields`. Pure: JSON
 * in, JSON out; failures are thrown as the server's `Status`.
 */
import { definitions, type FieldMetadata } from "../../../api/patchMetadata.js"
import { cloneJson, isRecord, type JsonObject, jsonEqual, recordAt, setField, stringsAt } from "../json.js"
import type { ResourceType } from "../resourceTypes.js"
import * as Status from "../status.js"
import { fieldOf } from "./fieldMetadata.js"
import * as ManagedFields from "./ManagedFields.js"

type FieldSet = ManagedFields.FieldSet

/** How server-side apply treats a value and what lies below it, from a built-in definition or a CRD schema. */
export interface Shape {
  /** The object is owned and replaced as a whole (`x-kubernetes-map-type: atomic`). */
  readonly atomicObject: boolean
  /** How a list value is owned: as a whole, by item value, or by item key. */
  readonly listType: "atomic" | "set" | "map"
  /** The item fields that identify the items of a `map` list. */
  readonly listMapKeys: ReadonlyArray<string>
  /** Whether `key` is a declared field of the object (rather than a key of a free-form map). */
  readonly declares: (key: string) => boolean
  /** Whether field `key` exists (empty) in a new object before any write, as the object-typed fields of built-in kinds do: a create does not own it as a whole. */
  readonly implicit: (key: string) => boolean
  /** The shape of the object's field `key`. */
  readonly field: (key: string) => Shape
  /** The shape of the list's items. */
  readonly item: () => Shape
}

const builtIn = (field: FieldMetadata): Shape => {
  const definition = field.type === undefined ? undefined : definitions[field.type]
  return {
    atomicObject: field.mapType === "atomic" || definition?.mapType === "atomic",
    listType: field.listType ?? "atomic",
    listMapKeys: field.listMapKeys ?? [],
    declares: () => field.type !== undefined,
    implicit: (key) => fieldOf(field.type, key)?.type !== undefined,
    field: (key) => builtIn(fieldOf(field.type, key) ?? {}),
    item: () => builtIn(field.type === undefined ? {} : { type: field.type })
  }
}

const custom = (schema: unknown): Shape => {
  const node = isRecord(schema) ? schema : {}
  const properties = recordAt(node, "properties")
  const listType = node["x-kubernetes-list-type"]
  return {
    atomicObject: node["x-kubernetes-map-type"] === "atomic",
    listType: listType === "set" || listType === "map" ? listType : "atomic",
    listMapKeys: stringsAt(node, "x-kubernetes-list-map-keys"),
    declares: (key) => Object.hasOwn(properties, key),
    implicit: () => false,
    field: (key) => custom(Object.hasOwn(properties, key) ? properties[key] : node.additionalProperties),
    item: () => custom(node.items)
  }
}

const objectMeta = builtIn({ type: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" })

/** The shape of a kind's objects: its OpenAPI definition for a built-in, its CRD's structural schema (with the standard ObjectMeta) for a custom resource. */
export const shapeOf = (type: Pick<ResourceType, "custom" | "definition" | "openApiSchema">): Shape => {
  if (!type.custom) return builtIn(type.definition === undefined ? {} : { type: type.definition })
  const root = custom(type.openApiSchema)
  return { ...root, field: (key) => (key === "metadata" ? objectMeta : root.field(key)) }
}

const leafSet = ManagedFields.make(true, [])

/** Key fields that the server defaults when an applied item leaves them out. */
const keyDefaults: JsonObject = { protocol: "TCP" }

/** The path element of a list item, or `undefined` when a map-list item lacks a key field. */
const itemElement = (item: unknown, shape: Shape): string | undefined => {
  if (shape.listType === "set") return ManagedFields.valueElement(item)
  if (!isRecord(item)) return undefined
  const keys: JsonObject = {}
  for (const name of shape.listMapKeys) {
    const value = item[name] ?? keyDefaults[name]
    if (value === undefined) return undefined
    keys[name] = value
  }
  return ManagedFields.keyElement(keys)
}

/** The path elements of a list's items, failing as the server does on an applied item without its key. */
const appliedElements = (items: ReadonlyArray<unknown>, shape: Shape, path: string): ReadonlyArray<string> =>
  items.map((item, index) => {
    const element = itemElement(item, shape)
    if (element !== undefined) return element
    const missing = shape.listMapKeys.find((name) => !isRecord(item) || item[name] === undefined) ?? ""
    throw Status.internalError(
      `failed to create typed patch object: ${path}: element ${index}: associative list with keys has an element that omits key field "${missing}" (and doesn't have default value)`
    )
  })

/** The set below a value of the applied configuration, as `ToFieldSet`: leaves, list items, empty and free-form map keys. */
const appliedNode = (value: unknown, shape: Shape, declared: boolean, path: string): FieldSet => {
  if (isRecord(value) && !shape.atomicObject) {
    const children = Object.entries(value).map(([key, child]): readonly [string, FieldSet] => [
      ManagedFields.fieldElement(key),
      appliedNode(child, shape.field(key), shape.declares(key), `${path}.${key}`)
    ])
    return ManagedFields.make(Object.keys(value).length === 0 || !declared, children)
  }
  if (Array.isArray(value) && shape.listType !== "atomic") {
    const elements = appliedElements(value, shape, path)
    const counts = new Map<string, number>()
    for (const element of elements) counts.set(element, (counts.get(element) ?? 0) + 1)
    const children = value.map((item, index): readonly [string, FieldSet] => {
      const element = elements[index] ?? ""
      const below =
        (counts.get(element) ?? 0) > 1
          ? ManagedFields.empty
          : appliedNode(item, shape.item(), true, `${path}[${index}]`)
      return [element, ManagedFields.make(true, below.children)]
    })
    return ManagedFields.make(false, children)
  }
  return leafSet
}

/** The fields an applied configuration sets: what its manager owns after the apply. */
export const appliedFields = (configuration: JsonObject, shape: Shape): FieldSet =>
  appliedNode(configuration, shape, true, "")

const mergeList = (live: ReadonlyArray<unknown>, applied: ReadonlyArray<unknown>, shape: Shape, path: string) => {
  const itemShape = shape.item()
  const appliedKeys = appliedElements(applied, shape, path)
  const liveKeys = live.map((item, index) => itemElement(item, shape) ?? `i:${index}`)
  const liveByKey = new Map<string, unknown>()
  live.forEach((item, index) => {
    const key = liveKeys[index] ?? ""
    if (!liveByKey.has(key)) liveByKey.set(key, item)
  })
  const appliedByKey = new Map(applied.map((item, index) => [appliedKeys[index] ?? "", item] as const))
  // Items both sides have, in the applied order: they set the order the live-only items are woven around.
  const shared = appliedKeys.filter((key) => liveByKey.has(key))
  const merged: Array<unknown> = []
  const done = new Set<string>()
  const take = (key: string) => {
    done.add(key)
    if (shared[0] === key) shared.shift()
    merged.push(merge(liveByKey.get(key), appliedByKey.get(key), itemShape, path))
  }
  let liveIndex = 0
  let appliedIndex = 0
  while (liveIndex < liveKeys.length || appliedIndex < appliedKeys.length) {
    const liveKey = liveKeys[liveIndex]
    const appliedKey = appliedKeys[appliedIndex]
    if (liveKey !== undefined && appliedKey !== undefined && liveKey === appliedKey) {
      if (!done.has(liveKey)) take(liveKey)
      liveIndex++
      appliedIndex++
      continue
    }
    if (liveKey !== undefined) {
      if (!appliedByKey.has(liveKey)) {
        // A live-only item keeps its place.
        merged.push(cloneJson(live[liveIndex]))
        liveIndex++
        continue
      }
      if (done.has(liveKey)) liveIndex++
      else if (shared[0] !== liveKey) {
        // Applied later in a different order: it is merged where the applied list has it.
        liveIndex++
        continue
      }
    }
    if (appliedKey !== undefined) {
      if (!done.has(appliedKey)) take(appliedKey)
      appliedIndex++
    }
  }
  return merged
}

/** The live value with the applied one merged in: granular objects and keyed lists field by field, the rest replaced. */
const merge = (live: unknown, applied: unknown, shape: Shape, path: string): unknown => {
  if (applied === undefined) return live
  if (isRecord(applied) && !shape.atomicObject) {
    const result: JsonObject = isRecord(live) ? { ...live } : {}
    for (const [key, value] of Object.entries(applied)) {
      if (value === null) delete result[key]
      else setField(result, key, merge(result[key], value, shape.field(key), `${path}.${key}`))
    }
    return result
  }
  if (Array.isArray(applied) && shape.listType !== "atomic")
    return mergeList(Array.isArray(live) ? live : [], applied, shape, path)
  return cloneJson(applied)
}

/** Whether a field is owned: the path itself, or (a declared field) anything below it. */
const claimed = (owned: FieldSet | undefined, field: boolean): boolean =>
  owned !== undefined && (owned.member || (field && owned.children.size > 0))

/** The merged value without the paths the applier applied last time and nobody owns now. */
const prune = (value: unknown, last: FieldSet, owned: FieldSet, shape: Shape): unknown => {
  if (ManagedFields.isEmpty(last)) return value
  if (isRecord(value) && !shape.atomicObject) {
    const result: JsonObject = { ...value }
    for (const [element, lastChild] of last.children) {
      if (!element.startsWith("f:")) continue
      const key = element.slice(2)
      if (result[key] === undefined) continue
      const ownedChild = owned.children.get(element)
      const wasApplied = lastChild.member || (shape.declares(key) && lastChild.children.size > 0)
      if (wasApplied && !claimed(ownedChild, true)) delete result[key]
      else setField(result, key, prune(result[key], lastChild, ownedChild ?? ManagedFields.empty, shape.field(key)))
    }
    return result
  }
  if (Array.isArray(value) && shape.listType !== "atomic") {
    const kept: Array<unknown> = []
    for (const item of value) {
      const element = itemElement(item, shape)
      const lastChild = element === undefined ? undefined : last.children.get(element)
      if (element === undefined || lastChild === undefined) kept.push(item)
      else if (lastChild.member && !claimed(owned.children.get(element), false)) continue
      else kept.push(prune(item, lastChild, ManagedFields.childSet(owned, element), shape.item()))
    }
    return kept
  }
  return value
}

interface Comparison {
  readonly added: FieldSet
  readonly modified: FieldSet
  readonly removed: FieldSet
}

const same: Comparison = { added: ManagedFields.empty, modified: ManagedFields.empty, removed: ManagedFields.empty }

const isEmptyValue = (value: unknown): boolean =>
  value === undefined ||
  (Array.isArray(value) ? value.length === 0 : isRecord(value) && Object.keys(value).length === 0)

/** What changed from `before` to `after`, as structured-merge-diff compares: leaves added, modified, removed, and granular values added or removed whole. */
const compare = (before: unknown, after: unknown, shape: Shape, implicit: boolean): Comparison => {
  if (before === undefined && after === undefined) return same
  const bothEmpty = isEmptyValue(before) && isEmptyValue(after)
  const objects = (before === undefined || isRecord(before)) && (after === undefined || isRecord(after))
  const lists = (before === undefined || Array.isArray(before)) && (after === undefined || Array.isArray(after))
  const granular = !bothEmpty && ((objects && !shape.atomicObject) || (lists && shape.listType !== "atomic"))
  if (!granular) {
    if (before === undefined) return { ...same, added: leafSet }
    if (after === undefined) return { ...same, removed: leafSet }
    return jsonEqual(before, after) ? same : { ...same, modified: leafSet }
  }
  const children: Array<readonly [string, Comparison]> = []
  if (objects) {
    const left = isRecord(before) ? before : {}
    const right = isRecord(after) ? after : {}
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)]))
      children.push([
        ManagedFields.fieldElement(key),
        compare(left[key], right[key], shape.field(key), shape.implicit(key))
      ])
  } else {
    const index = (items: unknown) => {
      const byElement = new Map<string, unknown>()
      if (Array.isArray(items))
        items.forEach((item, position) => {
          const element = itemElement(item, shape) ?? `i:${position}`
          if (!byElement.has(element)) byElement.set(element, item)
        })
      return byElement
    }
    const left = index(before)
    const right = index(after)
    for (const element of new Set([...left.keys(), ...right.keys()]))
      children.push([element, compare(left.get(element), right.get(element), shape.item(), false)])
  }
  const pick = (part: keyof Comparison, self: boolean) =>
    ManagedFields.make(
      self,
      children.map(([element, comparison]) => [element, comparison[part]] as const)
    )
  return {
    added: pick("added", before === undefined && !implicit),
    modified: pick("modified", false),
    removed: pick("removed", after === undefined && !implicit)
  }
}

const metadataPaths = [
  "name",
  "namespace",
  "creationTimestamp",
  "selfLink",
  "uid",
  "clusterName",
  "generation",
  "managedFields",
  "resourceVersion"
]

/** Fields the server owns, which no manager does: apiVersion, kind and the server-set metadata. */
const serverFields = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata"],
  ...metadataPaths.map((field) => ["f:metadata", `f:${field}`])
].reduce<FieldSet>((set, path) => ManagedFields.union(set, ManagedFields.single(path)), ManagedFields.empty)

/**
 * The fields a write through `subresource` may own: none of the server's,
 * only the status through the status subresource, and no status through the
 * main resource of a kind with a status subresource (the server resets it).
 */
const ownable = (set: FieldSet, statusSubresource: boolean, subresource: string | undefined): FieldSet => {
  const owned = ManagedFields.difference(set, serverFields)
  const status = ManagedFields.fieldElement("status")
  if (subresource === "status") return ManagedFields.make(false, [[status, ManagedFields.childSet(owned, status)]])
  if (!statusSubresource) return owned
  return ManagedFields.make(
    owned.member,
    [...owned.children].filter(([element]) => element !== status)
  )
}

/** The object without `metadata.managedFields`. */
const withoutManagedFields = (object: JsonObject | undefined): JsonObject | undefined => {
  if (object === undefined) return undefined
  const { managedFields: _managedFields, ...metadata } = recordAt(object, "metadata")
  return { ...object, metadata }
}

const withEntries = (object: JsonObject, entries: ReadonlyArray<ManagedFields.ManagerEntry>): JsonObject => {
  const encoded = ManagedFields.encodeEntries(entries)
  const { managedFields: _managedFields, ...metadata } = recordAt(object, "metadata")
  return { ...object, metadata: encoded.length === 0 ? metadata : { ...metadata, managedFields: encoded } }
}

/** How a manager reads in a conflict: `"alice"` for an applier, `"bob" using v1` for an updater. */
const managerText = (entry: ManagedFields.ManagerEntry): string => {
  const name =
    entry.subresource === undefined
      ? JSON.stringify(entry.manager)
      : `${JSON.stringify(entry.manager)} with subresource ${JSON.stringify(entry.subresource)}`
  return entry.operation === "Update" ? `${name} using ${entry.apiVersion}` : name
}

/** The identity the server sorts conflicting managers by (its JSON-encoded manager key). */
const managerKey = (entry: ManagedFields.ManagerEntry): string =>
  JSON.stringify({
    manager: entry.manager,
    operation: entry.operation,
    ...(entry.operation === "Update" ? { apiVersion: entry.apiVersion } : {}),
    ...(entry.subresource === undefined ? {} : { subresource: entry.subresource })
  })

/** The 409 of an apply that would change fields other managers own, worded as the server words it. */
const conflictFailure = (
  conflicts: ReadonlyArray<{ readonly entry: ManagedFields.ManagerEntry; readonly fields: FieldSet }>
): Status.StatusFailure => {
  const sorted = [...conflicts].sort((left, right) =>
    managerKey(left.entry) < managerKey(right.entry) ? -1 : managerKey(left.entry) > managerKey(right.entry) ? 1 : 0
  )
  const listed = sorted.flatMap(({ entry, fields }) =>
    ManagedFields.paths(fields).map((path) => ({ entry, path: ManagedFields.pathString(path) }))
  )
  const first = listed[0]
  const message =
    listed.length === 1 && first !== undefined
      ? `Apply failed with 1 conflict: conflict with ${managerText(first.entry)}: ${first.path}`
      : `Apply failed with ${listed.length} conflicts: ${sorted
          .map(
            ({ entry, fields }) =>
              `conflicts with ${managerText(entry)}:\n${ManagedFields.paths(fields)
                .map((path) => `- ${ManagedFields.pathString(path)}`)
                .join("\n")}`
          )
          .join("\n")}`
  return Status.failure(409, "Conflict", message, {
    causes: listed.map(({ entry, path }) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${managerText(entry)}`,
      field: path
    }))
  })
}

/** A group, version and kind as Go prints them (`apps/v1, Kind=Deployment`, `/v1, Kind=ConfigMap`). */
const groupVersionKind = (apiVersion: unknown, kind: unknown): string => {
  const version = typeof apiVersion === "string" ? apiVersion : ""
  const parts = version.split("/")
  const [group, name] = parts.length === 2 ? parts : parts.length === 1 ? ["", version] : ["", ""]
  return `${group}/${name}, Kind=${typeof kind === "string" ? kind : ""}`
}

/** What FakeKube knows of the kind a write is for. */
export interface Target {
  readonly shape: Shape
  /** The apiVersion the request was made through, recorded in the entry. */
  readonly apiVersion: string
  /** The kind an applied configuration must name. */
  readonly kind: string
  /** Whether the kind has a status subresource (its main resource then owns no status). */
  readonly statusSubresource: boolean
}

/** The target of a write to objects of `type`. */
export const targetOf = (type: ResourceType): Target => ({
  shape: shapeOf(type),
  apiVersion: type.apiVersion,
  kind: type.kind,
  statusSubresource: type.subresources.includes("status")
})

/** A server-side apply request. */
export interface ApplyRequest {
  readonly target: Target
  /** The live object, `undefined` when the apply creates it. */
  readonly live: JsonObject | undefined
  readonly configuration: JsonObject
  readonly manager: string
  readonly subresource: string | undefined
  readonly force: boolean
  readonly now: string
}

/**
 * The live object with an applied configuration merged in and its
 * managedFields updated: the applier's "Apply" entry holds exactly the
 * applied fields; fields it applied before and no longer applies are removed
 * unless another manager owns them; a changed value of a field another
 * manager owns is a 409 conflict unless `force`, which takes the field.
 */
export const apply = (request: ApplyRequest): JsonObject => {
  const { target, manager, subresource } = request
  const sent = groupVersionKind(request.configuration.apiVersion, request.configuration.kind)
  if (sent !== groupVersionKind(target.apiVersion, target.kind)) throw Status.badRequest(`invalid object type: ${sent}`)
  const sentManagedFields = recordAt(request.configuration, "metadata").managedFields
  if (sentManagedFields !== undefined && sentManagedFields !== null)
    throw Status.badRequest("metadata.managedFields must be nil")
  const stored = ManagedFields.decodeEntries(recordAt(request.live ?? {}, "metadata").managedFields) ?? []
  // An object nobody tracks yet (seeded, or its managedFields cleared) is first owned as it is by "before-first-apply".
  const entries =
    stored.length === 0 && request.live !== undefined
      ? [
          {
            manager: "before-first-apply",
            operation: "Update" as const,
            apiVersion: target.apiVersion,
            time: request.now,
            subresource,
            fields: ownable(
              compare({}, withoutManagedFields(request.live), target.shape, false).added,
              target.statusSubresource,
              subresource
            )
          }
        ]
      : stored
  const applier: ManagedFields.ManagerEntry = {
    manager,
    operation: "Apply",
    apiVersion: target.apiVersion,
    time: request.now,
    subresource,
    fields: ownable(appliedFields(request.configuration, target.shape), target.statusSubresource, subresource)
  }
  const previous = entries.find((entry) => ManagedFields.sameManager(entry, applier))
  const others = entries.filter((entry) => !ManagedFields.sameManager(entry, applier))
  const live = withoutManagedFields(request.live) ?? {}
  const merged = merge(live, request.configuration, target.shape, "")
  const owned = others.reduce((set, entry) => ManagedFields.union(set, entry.fields), applier.fields)
  const pruned = prune(merged, previous?.fields ?? ManagedFields.empty, owned, target.shape)
  const result = isRecord(pruned) ? pruned : live
  const changes = compare(live, result, target.shape, false)
  // Changes the write then resets (status through the main resource, the rest through status) conflict with nobody.
  const changed = ownable(ManagedFields.union(changes.modified, changes.added), target.statusSubresource, subresource)
  const removed = ownable(changes.removed, target.statusSubresource, subresource)
  const conflicts = others
    .map((entry) => ({ entry, fields: ManagedFields.intersection(entry.fields, changed) }))
    .filter(({ fields }) => !ManagedFields.isEmpty(fields))
  if (conflicts.length > 0 && !request.force) throw conflictFailure(conflicts)
  const unchanged = jsonEqual(live, result)
  const updated = others.map((entry) => ({
    ...entry,
    fields: ManagedFields.difference(ManagedFields.difference(entry.fields, changed), removed)
  }))
  const entry = unchanged && previous !== undefined ? { ...applier, time: previous.time } : applier
  return withEntries(result, [...updated, entry])
}

const replicasPath = ["f:spec", "f:replicas"]
const replicasSet = ManagedFields.single(replicasPath)

/**
 * The managedFields of an object's autoscaling/v1 Scale, as an apply through
 * `/scale` sees them: the entries that own `spec.replicas`, owning the
 * Scale's `spec.replicas` (each keeps its identity, apiVersion included).
 */
export const scaleManagedFields = (parent: unknown): Array<JsonObject> =>
  ManagedFields.encodeEntries(
    (ManagedFields.decodeEntries(parent) ?? [])
      .filter((entry) => ManagedFields.has(entry.fields, replicasPath))
      .map((entry) => ({ ...entry, fields: replicasSet }))
  )

/**
 * The object's managedFields after an apply through `/scale` left the
 * Scale's (`scale`): an entry that lost `spec.replicas` there loses it here,
 * and a manager that gained it there owns it here, through `apiVersion`.
 */
export const parentManagedFields = (parent: unknown, scale: unknown, apiVersion: string): Array<JsonObject> => {
  const remaining = [...(ManagedFields.decodeEntries(scale) ?? [])]
  const sameIdentity = (left: ManagedFields.ManagerEntry, right: ManagedFields.ManagerEntry) =>
    ManagedFields.sameManager(left, { ...right, apiVersion: left.apiVersion })
  const kept = (ManagedFields.decodeEntries(parent) ?? []).map((entry) => {
    if (!ManagedFields.has(entry.fields, replicasPath)) return entry
    const index = remaining.findIndex((candidate) => sameIdentity(candidate, entry))
    if (index >= 0) {
      remaining.splice(index, 1)
      return entry
    }
    return { ...entry, fields: ManagedFields.difference(entry.fields, replicasSet) }
  })
  const gained = remaining
    .filter((entry) => ManagedFields.has(entry.fields, replicasPath))
    .map((entry) => ({ ...entry, apiVersion, fields: replicasSet }))
  return ManagedFields.encodeEntries([...kept, ...gained])
}

/** A write other than apply: a create, an update, a patch, a status or scale write. */
export interface UpdateRequest {
  readonly target: Target
  /** The stored object before the write, `undefined` for a create. */
  readonly before: JsonObject | undefined
  /** The object to store (its own managedFields are ignored: see `requested`). */
  readonly after: JsonObject
  /** The managedFields the client sent with the object, `undefined` when it sent none. */
  readonly requested: unknown
  readonly manager: string
  readonly subresource: string | undefined
  readonly now: string
}

/** Whether the client asked to clear managedFields: an empty list, or a list of one empty entry. */
const isReset = (requested: unknown): boolean =>
  Array.isArray(requested) &&
  (requested.length === 0 ||
    (requested.length === 1 && isRecord(requested[0]) && Object.keys(requested[0]).length === 0))

/**
 * `after` with managedFields as the server records a non-apply write: the
 * managedFields the client sent replace the stored ones (an empty list
 * clears them; writes through a subresource cannot set them); the fields the
 * write changed move to the manager's "Update" entry, taken from any other
 * manager, and removed fields leave every entry; empty entries are dropped.
 * An existing object without managedFields stays untracked.
 */
export const recordUpdate = (request: UpdateRequest): JsonObject => {
  const { target, subresource } = request
  const stored = ManagedFields.decodeEntries(recordAt(request.before ?? {}, "metadata").managedFields) ?? []
  const sent =
    subresource !== undefined || isReset(request.requested) ? undefined : ManagedFields.decodeEntries(request.requested)
  const base =
    subresource === undefined && isReset(request.requested) ? [] : sent !== undefined && sent.length > 0 ? sent : stored
  const before = withoutManagedFields(request.before) ?? {}
  const after = withoutManagedFields(request.after) ?? {}
  // The server does not start tracking an existing object on an update: only an apply does.
  if (request.before !== undefined && base.length === 0) return withEntries(after, [])
  const changes = compare(before, after, target.shape, false)
  const strip = (set: FieldSet) => ManagedFields.difference(set, serverFields)
  const changed = ownable(ManagedFields.union(changes.modified, changes.added), target.statusSubresource, subresource)
  const updater: ManagedFields.ManagerEntry = {
    manager: request.manager,
    operation: "Update",
    apiVersion: target.apiVersion,
    time: request.now,
    subresource,
    fields: changed
  }
  const entries = base.map((entry) => ({
    ...entry,
    fields: strip(ManagedFields.difference(ManagedFields.difference(entry.fields, changed), changes.removed))
  }))
  const previous = entries.find((entry) => ManagedFields.sameManager(entry, updater))
  const others = entries.filter((entry) => !ManagedFields.sameManager(entry, updater))
  const own: ReadonlyArray<ManagedFields.ManagerEntry> = ManagedFields.isEmpty(changed)
    ? previous === undefined
      ? []
      : [previous]
    : [{ ...updater, fields: ManagedFields.union(changed, previous?.fields ?? ManagedFields.empty) }]
  return withEntries(request.after, [...others, ...own])
}
