/**
 * Field sets and `metadata.managedFields` entries as server-side apply
 * records them: a set of field paths kept as a tree in the FieldsV1 shape
 * (`f:<field>`, `k:{"name":"x"}` for an item of a map list, `v:<value>` for
 * an item of a set list, `.` for a path that is in the set and has paths
 * below it), with the set algebra the field manager needs, and the entries
 * that attach one set to one manager.
 */
import { isRecord, type JsonObject } from "../json.js"

/** A set of field paths: whether the path itself is in it, and the set below it by path element. */
export interface FieldSet {
  readonly member: boolean
  readonly children: ReadonlyMap<string, FieldSet>
}

/** The set with no path. */
export const empty: FieldSet = { member: false, children: new Map() }

const leaf: FieldSet = { member: true, children: new Map() }

/** Whether a set has no path. */
export const isEmpty = (set: FieldSet): boolean => !set.member && set.children.size === 0

/** A set from its member flag and children, leaving out empty children. */
export const make = (member: boolean, children: Iterable<readonly [string, FieldSet]>): FieldSet => {
  const kept = new Map<string, FieldSet>()
  for (const [element, child] of children) if (!isEmpty(child)) kept.set(element, child)
  return kept.size === 0 ? (member ? leaf : empty) : { member, children: kept }
}

/** The path element of an object field. */
export const fieldElement = (name: string): string => `f:${name}`

/** The path element of a map-list item, from its key fields (sorted by name, as FieldsV1 writes them). */
export const keyElement = (keys: JsonObject): string => {
  const sorted: JsonObject = {}
  for (const name of Object.keys(keys).sort()) sorted[name] = keys[name]
  return `k:${JSON.stringify(sorted)}`
}

/** The path element of a set-list item. */
export const valueElement = (value: unknown): string => `v:${JSON.stringify(value)}`

/** A set holding the one path `elements`. */
export const single = (elements: ReadonlyArray<string>): FieldSet =>
  elements.reduceRight<FieldSet>((below, element) => make(false, [[element, below]]), leaf)

/** The paths in either set. */
export const union = (left: FieldSet, right: FieldSet): FieldSet => {
  if (isEmpty(left)) return right
  if (isEmpty(right)) return left
  const children = new Map(left.children)
  for (const [element, child] of right.children) {
    const mine = children.get(element)
    children.set(element, mine === undefined ? child : union(mine, child))
  }
  return make(left.member || right.member, children)
}

/** The paths of `left` that are not in `right` (a path of `right` does not remove the paths below it). */
export const difference = (left: FieldSet, right: FieldSet): FieldSet => {
  if (isEmpty(left) || isEmpty(right)) return left
  const children: Array<readonly [string, FieldSet]> = []
  for (const [element, child] of left.children) {
    const theirs = right.children.get(element)
    children.push([element, theirs === undefined ? child : difference(child, theirs)])
  }
  return make(left.member && !right.member, children)
}

/** The paths in both sets. */
export const intersection = (left: FieldSet, right: FieldSet): FieldSet => {
  if (isEmpty(left) || isEmpty(right)) return empty
  const children: Array<readonly [string, FieldSet]> = []
  for (const [element, child] of left.children) {
    const theirs = right.children.get(element)
    if (theirs !== undefined) children.push([element, intersection(child, theirs)])
  }
  return make(left.member && right.member, children)
}

/** Whether the set holds `elements` itself. */
export const has = (set: FieldSet, elements: ReadonlyArray<string>): boolean => {
  let current: FieldSet | undefined = set
  for (const element of elements) {
    current = current.children.get(element)
    if (current === undefined) return false
  }
  return current.member
}

/** The set below `element`. */
export const childSet = (set: FieldSet, element: string): FieldSet => set.children.get(element) ?? empty

const kindRank = (element: string): number => "fkvi".indexOf(element.charAt(0))

/** The order of path elements: fields, then map-list keys, then set values, then indexes. */
const compareElements = (left: string, right: string): number =>
  kindRank(left) - kindRank(right) || (left < right ? -1 : left > right ? 1 : 0)

const sortedChildren = (set: FieldSet): ReadonlyArray<readonly [string, FieldSet]> =>
  [...set.children].sort(([left], [right]) => compareElements(left, right))

/** Every path of the set, as the field manager lists them: a node's own members first, then the paths below, each in order. */
export const paths = (set: FieldSet): ReadonlyArray<ReadonlyArray<string>> => {
  const found: Array<ReadonlyArray<string>> = []
  const visit = (node: FieldSet, prefix: ReadonlyArray<string>) => {
    const children = sortedChildren(node)
    for (const [element, child] of children) if (child.member) found.push([...prefix, element])
    for (const [element, child] of children) if (child.children.size > 0) visit(child, [...prefix, element])
  }
  visit(set, [])
  return found
}

const valueString = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value))

/** A path as the server prints it in conflicts: `.spec.containers[name="app"].image`, `[="value"]` for a set item. */
export const pathString = (elements: ReadonlyArray<string>): string =>
  elements
    .map((element) => {
      const body = element.slice(2)
      switch (element.charAt(0)) {
        case "f":
          return `.${body}`
        case "k": {
          const keys: unknown = JSON.parse(body)
          return isRecord(keys)
            ? `[${Object.entries(keys)
                .map(([name, value]) => `${name}=${valueString(value)}`)
                .join(",")}]`
            : `[${body}]`
        }
        case "v":
          return `[=${valueString(JSON.parse(body))}]`
        default:
          return `[${body}]`
      }
    })
    .join("")

const validElement = (element: string): boolean => {
  if (element.length < 2 || element.charAt(1) !== ":") return false
  const body = element.slice(2)
  switch (element.charAt(0)) {
    case "f":
      return true
    case "i":
      return /^\d+$/.test(body)
    case "k":
    case "v":
      try {
        const parsed: unknown = JSON.parse(body)
        return element.charAt(0) === "v" || isRecord(parsed)
      } catch {
        return false
      }
    default:
      return false
  }
}

/** The set a FieldsV1 object encodes, or `undefined` when it is not one. */
export const fromFieldsV1 = (value: unknown): FieldSet | undefined => {
  const decode = (node: unknown, member: boolean): FieldSet | undefined => {
    if (!isRecord(node)) return undefined
    const children: Array<readonly [string, FieldSet]> = []
    let self = member
    for (const [element, child] of Object.entries(node)) {
      if (element === ".") {
        self = true
        continue
      }
      if (!validElement(element)) return undefined
      const decoded = decode(child, isRecord(child) && Object.keys(child).length === 0)
      if (decoded === undefined) return undefined
      children.push([element, decoded])
    }
    return make(self, children)
  }
  return decode(value, false)
}

/** The FieldsV1 object of a set, its elements in the server's order. */
export const toFieldsV1 = (set: FieldSet): JsonObject => {
  const encode = (node: FieldSet, includeSelf: boolean): JsonObject => {
    const object: JsonObject = {}
    if (includeSelf && node.member && node.children.size > 0) object["."] = {}
    for (const [element, child] of sortedChildren(node)) object[element] = encode(child, true)
    return object
  }
  return encode(set, false)
}

/** One `metadata.managedFields` entry: the fields one manager owns through one kind of operation. */
export interface ManagerEntry {
  readonly manager: string
  readonly operation: "Apply" | "Update"
  readonly apiVersion: string
  readonly time: string | undefined
  readonly subresource: string | undefined
  readonly fields: FieldSet
}

/**
 * Whether two entries are the same manager, as the server keys them: by
 * name, operation and subresource, and for updates by apiVersion too (an
 * applier keeps one entry whatever version it applies through).
 */
export const sameManager = (left: ManagerEntry, right: ManagerEntry): boolean =>
  left.manager === right.manager &&
  left.operation === right.operation &&
  (left.subresource ?? "") === (right.subresource ?? "") &&
  (left.operation === "Apply" || left.apiVersion === right.apiVersion)

/** The entries of a `metadata.managedFields` value, or `undefined` when it is not a valid one. */
export const decodeEntries = (value: unknown): ReadonlyArray<ManagerEntry> | undefined => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) return undefined
  const entries: Array<ManagerEntry> = []
  for (const item of value) {
    if (!isRecord(item)) return undefined
    const { manager, operation, apiVersion, time, subresource, fieldsType, fieldsV1 } = item
    if (operation !== "Apply" && operation !== "Update") return undefined
    if (fieldsType !== undefined && fieldsType !== "FieldsV1") return undefined
    const fields = fieldsV1 === undefined ? empty : fromFieldsV1(fieldsV1)
    if (fields === undefined) return undefined
    entries.push({
      manager: typeof manager === "string" ? manager : "",
      operation,
      apiVersion: typeof apiVersion === "string" ? apiVersion : "",
      time: typeof time === "string" ? time : undefined,
      subresource: typeof subresource === "string" && subresource !== "" ? subresource : undefined,
      fields
    })
  }
  return entries
}

const ordered = (left: ManagerEntry, right: ManagerEntry): number => {
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return (
    text(left.operation, right.operation) ||
    text(left.time ?? "", right.time ?? "") ||
    text(left.manager, right.manager) ||
    text(left.apiVersion, right.apiVersion) ||
    text(left.subresource ?? "", right.subresource ?? "")
  )
}

/** The `metadata.managedFields` value of entries: empty ones dropped, sorted as the server sorts them (applies first, then by time). */
export const encodeEntries = (entries: ReadonlyArray<ManagerEntry>): Array<JsonObject> =>
  entries
    .filter((entry) => !isEmpty(entry.fields))
    .sort(ordered)
    .map((entry) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      ...(entry.time === undefined ? {} : { time: entry.time }),
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(entry.fields),
      ...(entry.subresource === undefined ? {} : { subresource: entry.subresource })
    }))
