/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) as
 * kube-apiserver applies it to built-in kinds (apimachinery's
 * `util/strategicpatch`), with field semantics from the generated patch
 * metadata: maps merge and `null` deletes; lists with the `merge` strategy
 * merge items by their merge key (lists of scalars become unions); other
 * lists, and fields with the `replace` strategy, are replaced whole. The
 * directives `$patch` (`replace`, `delete`; `merge` is refused, as by the
 * server), `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
 * `$setElementOrder/<field>` work as on the real server, and a bad patch
 * fails with its Status: 400 for a
 * malformed directive, 422 for a list of lists, and the 500 without a reason
 * that the server answers for everything else (a list item without its merge
 * key, an unknown `$patch`).
 *
 * Pure: JSON in, JSON out; the inputs are copied, never changed.
 */
import { cloneJson, isRecord, type JsonObject, setField } from "../json.js"
import * as Status from "../status.js"
import { fieldOf } from "./fieldMetadata.js"

const directiveMarker = "$patch"
const retainKeysDirective = "$retainKeys"
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"
const setElementOrderPrefix = "$setElementOrder"

/** A field's metadata as the engine uses it: the definition below it, its strategy and its merge key. */
interface Field {
  readonly definition: string | undefined
  /** The strategy other than `retainKeys` (which the `$retainKeys` directive carries): `merge`, `replace` or none. */
  readonly strategy: string
  readonly mergeKey: string
}

/** How `key` of `definition` merges; a key without metadata merges maps and replaces lists. */
const lookup = (definition: string | undefined, key: string): Field => {
  const metadata = fieldOf(definition, key)
  return {
    definition: metadata?.type,
    strategy: metadata?.patchStrategy?.find((strategy) => strategy !== "retainKeys") ?? "",
    mergeKey: metadata?.patchMergeKey ?? ""
  }
}

// ---------------------------------------------------------------- errors, worded as apimachinery's

/** A value as Go's `%v` prints the decoded JSON (`map[name:app]`, `[a b]`, `<nil>`). */
const goValue = (value: unknown): string => {
  if (value === null || value === undefined) return "<nil>"
  if (Array.isArray(value)) return `[${value.map(goValue).join(" ")}]`
  if (isRecord(value))
    return `map[${Object.keys(value)
      .sort()
      .map((key) => `${key}:${goValue(value[key])}`)
      .join(" ")}]`
  return String(value)
}

const mapType = "map[string]interface {}"
const sliceType = "[]interface {}"

/** The Go type decoded JSON has (`reflect.TypeOf`), as `%s` prints it. */
const goType = (value: unknown): string => {
  if (value === null || value === undefined) return "%!s(<nil>)"
  if (Array.isArray(value)) return sliceType
  if (isRecord(value)) return mapType
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64"
  return typeof value === "boolean" ? "bool" : "string"
}

const badArgType = (expected: string, actual: unknown) =>
  Status.unknownError(`expected a ${expected}, but received a ${goType(actual)}`)

const noMergeKey = (item: unknown, mergeKey: string) =>
  Status.unknownError(`map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`)

const badPatchType = (directive: unknown, map: JsonObject) =>
  Status.unknownError(
    `unknown patch type: ${typeof directive === "string" ? directive : `%!s(${goType(directive)}=${goValue(directive)})`} in map: ${goValue(map)}`
  )

const badPrimitiveList = () => Status.badRequest("invalid patch format of primitive list")
const badRetainKeys = () => Status.badRequest("invalid patch format of retainKeys")
const badSetElementOrder = () => Status.badRequest("invalid patch format of setElementOrder list")

// ---------------------------------------------------------------- values taken from the patch

/** Drops `null` members of maps, at any depth, in place. */
const discardNulls = (value: unknown): void => {
  if (Array.isArray(value)) for (const item of value) discardNulls(item)
  else if (isRecord(value))
    for (const [key, member] of Object.entries(value)) {
      if (member === null) delete value[key]
      else discardNulls(member)
    }
}

/** The value without maps that carry `$patch` (at any depth); `undefined` when the value itself is one. */
const removeDirectives = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(removeDirectives).filter((item) => item !== undefined)
  if (!isRecord(value)) return value
  if (Object.hasOwn(value, directiveMarker)) return undefined
  for (const [key, member] of Object.entries(value)) {
    const kept = removeDirectives(member)
    if (kept === undefined) delete value[key]
    else setField(value, key, kept)
  }
  return value
}

/**
 * A patch value the server keeps as sent (a replaced list or map, a new list
 * item). Its nulls decode to zero values, which the stored object omits, so
 * they are dropped; directives nested in it stay, as unknown fields.
 */
const kept = <A>(value: A): A => {
  discardNulls(value)
  return value
}

/** A patch value set where the live object has nothing of its type: nulls and directive maps dropped. */
const taken = (value: unknown): unknown => removeDirectives(kept(value))

const setTaken = (object: JsonObject, key: string, value: unknown): void => {
  const added = taken(value)
  if (added === undefined) delete object[key]
  else setField(object, key, added)
}

/** The field a `$deleteFromPrimitiveList/<field>` or `$setElementOrder/<field>` key names. */
const fieldAfter = (key: string, prefix: string, malformed: () => Status.StatusFailure): string => {
  const slash = key.indexOf("/")
  if (slash < 0 || key.slice(0, slash) !== prefix) throw malformed()
  return key.slice(slash + 1)
}

// ---------------------------------------------------------------- lists

/** Go's `==` on decoded JSON scalars; maps and lists never match. */
const scalarEqual = (left: unknown, right: unknown): boolean =>
  left === right && (left === null || typeof left !== "object")

/** `item` as an item of a list merged by `mergeKey`: a map that has the key, or the server's 500. */
const keyed = (item: unknown, mergeKey: string): JsonObject => {
  if (!isRecord(item)) throw badArgType(mapType, item)
  if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey)
  return item
}

/** The Go type every item of the lists shares; lists of lists are 422, mixed items 500. */
const elementType = (lists: ReadonlyArray<ReadonlyArray<unknown>>): string => {
  let first: string | undefined
  for (const list of lists)
    for (const item of list) {
      const type = goType(item)
      if (first === undefined) {
        if (type === sliceType) throw Status.unprocessable()
        first = type
      } else if (type !== first) throw Status.unknownError(`list element types are not identical: ${goValue(lists)}`)
    }
  if (first === undefined) throw Status.unknownError("no elements in any of the given slices")
  return first
}

/** The position of `item` in `list`: by merge key for maps, by value for scalars; -1 when absent. */
const indexIn = (list: ReadonlyArray<unknown>, item: unknown, mergeKey: string, ofMaps: boolean): number => {
  const identity = (value: unknown) => (ofMaps ? (isRecord(value) ? value[mergeKey] : undefined) : value)
  const wanted = identity(item)
  return list.findIndex((candidate) => scalarEqual(identity(candidate), wanted))
}

const isDeleteItem = (item: unknown) => isRecord(item) && item[directiveMarker] === "delete"

/** `toSort` in the order of `order` (stable; items absent from it last), `$patch: delete` items at the end. */
const sortedBy = (
  toSort: ReadonlyArray<unknown>,
  order: ReadonlyArray<unknown>,
  mergeKey: string,
  ofMaps: boolean
): Array<unknown> => {
  if (ofMaps) for (const item of [...toSort, ...order]) keyed(item, mergeKey)
  const rank = (item: unknown) => {
    const index = indexIn(order, item, mergeKey, ofMaps)
    return index < 0 ? order.length : index
  }
  const remaining = ofMaps ? toSort.filter((item) => !isDeleteItem(item)) : [...toSort]
  const sorted = remaining.map((item, position) => ({ item, position, rank: rank(item) }))
  sorted.sort((left, right) => left.rank - right.rank || left.position - right.position)
  return [...sorted.map(({ item }) => item), ...(ofMaps ? toSort.filter(isDeleteItem) : [])]
}

/**
 * The merged list in its final order: the patch's items in the patch's order,
 * the server-only items in the live order, interleaved where the live order
 * relates both (so a new item comes before the server-only items after it).
 */
const ordered = (
  patchItems: ReadonlyArray<unknown>,
  serverOnly: ReadonlyArray<unknown>,
  patchOrder: ReadonlyArray<unknown>,
  serverOrder: ReadonlyArray<unknown>,
  mergeKey: string,
  ofMaps: boolean
): Array<unknown> => {
  const right = sortedBy(patchItems, patchOrder, mergeKey, ofMaps)
  const left = sortedBy(serverOnly, serverOrder, mergeKey, ofMaps)
  const result: Array<unknown> = []
  let i = 0
  let j = 0
  while (i < left.length || j < right.length) {
    if (j >= right.length) result.push(left[i++])
    else if (i >= left.length) result.push(right[j++])
    else {
      const leftIndex = indexIn(serverOrder, left[i], mergeKey, ofMaps)
      const rightIndex = indexIn(serverOrder, right[j], mergeKey, ofMaps)
      if (leftIndex >= 0 && rightIndex >= 0 && leftIndex < rightIndex) result.push(left[i++])
      else result.push(right[j++])
    }
  }
  return result
}

/** Whether `list` has an item with `item`'s merge key value; like the server, fails on a non-map before a match. */
const hasKeyed = (list: ReadonlyArray<unknown>, item: JsonObject, mergeKey: string): boolean => {
  for (const [index, candidate] of list.entries()) {
    if (!isRecord(candidate)) throw Status.unknownError(`value for key ${index} is not a map`)
    if (Object.hasOwn(candidate, mergeKey) && scalarEqual(candidate[mergeKey], item[mergeKey])) return true
  }
  return false
}

/** Splits `list` into the items `by` has (by merge key, or by value) and the others. */
const partition = (
  list: ReadonlyArray<unknown>,
  by: ReadonlyArray<unknown>,
  mergeKey: string
): { readonly present: Array<unknown>; readonly absent: Array<unknown> } => {
  const present: Array<unknown> = []
  const absent: Array<unknown> = []
  for (const item of list) {
    const found =
      mergeKey === "" ? by.some((other) => scalarEqual(other, item)) : hasKeyed(by, keyed(item, mergeKey), mergeKey)
    ;(found ? present : absent).push(item)
  }
  return { present, absent }
}

/** Merges a list with the `merge` strategy (or applies a `$deleteFromPrimitiveList`). */
const mergeList = (
  original: Array<unknown>,
  patch: Array<unknown>,
  field: Field,
  deleteList: boolean
): Array<unknown> => {
  if (original.length === 0 && patch.length === 0) return original
  const ofMaps = elementType([original, patch]) === mapType
  let live = original
  let additions = patch
  let merged: Array<unknown>
  if (!ofMaps) {
    if (deleteList) return original.filter((item) => !patch.some((gone) => scalarEqual(gone, item)))
    merged = [...original, ...patch].filter(
      (item, index, all) => all.findIndex((other) => scalarEqual(other, item)) === index
    )
  } else {
    const mergeKey = field.mergeKey
    if (mergeKey === "") throw Status.unknownError("cannot merge lists without merge key for struct")
    const plain: Array<JsonObject> = []
    let replace = false
    for (const item of patch) {
      if (!isRecord(item)) throw badArgType(mapType, item)
      if (!Object.hasOwn(item, directiveMarker)) {
        plain.push(item)
        continue
      }
      const directive = item[directiveMarker]
      if (directive === "delete") {
        keyed(item, mergeKey)
        live = live.filter((candidate) => !(isRecord(candidate) && scalarEqual(candidate[mergeKey], item[mergeKey])))
      } else if (directive === "replace") replace = true
      else if (directive === "merge") throw Status.unknownError("merging lists cannot yet be specified in the patch")
      else throw badPatchType(directive, item)
    }
    if (replace) {
      live = plain.map(kept)
      additions = []
    } else additions = plain
    merged = [...live]
    for (const addition of additions) {
      const item = keyed(addition, mergeKey)
      const index = indexIn(merged, item, mergeKey, true)
      const existing = merged[index]
      if (index >= 0 && isRecord(existing)) merged[index] = mergeMap(existing, item, field.definition)
      else merged.push(kept(item))
    }
  }
  const mergeKey = ofMaps ? field.mergeKey : ""
  const { present, absent } = partition(merged, additions, mergeKey)
  return ordered(present, absent, additions, live, mergeKey, ofMaps)
}

/** A list field as the patch has it: merged when its strategy is `merge`, else replaced. */
const mergeListField = (original: Array<unknown>, patch: Array<unknown>, field: Field, deleteList: boolean) =>
  field.strategy === "merge" || deleteList ? mergeList(original, patch, field, deleteList) : kept(patch)

// ---------------------------------------------------------------- directives on maps

/** `$retainKeys`: clears the live keys the list does not name; every key the patch sets must be named. */
const applyRetainKeys = (original: JsonObject, patch: JsonObject): void => {
  if (!Object.hasOwn(patch, retainKeysDirective)) return
  const retained = patch[retainKeysDirective]
  delete patch[retainKeysDirective]
  if (!Array.isArray(retained)) throw badRetainKeys()
  const named = (key: string) => retained.includes(key)
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix))
      continue
    if (!named(key)) throw badRetainKeys()
  }
  for (const key of Object.keys(original)) if (!named(key)) delete original[key]
}

/**
 * The live list as the server's `$setElementOrder` sees it once `patch` is
 * merged in. apimachinery merges inside the live list's own Go array: a
 * `$patch: delete` shifts the later items left (the last slot keeps a stale
 * copy), and new items are written into the freed slots until the array is
 * full; the server-only items are then ordered by that array, not by the
 * list as it was. (The server builds live lists at their exact length, so
 * without deletions nothing is overwritten.)
 */
const liveAfterMerge = (live: ReadonlyArray<unknown>, patch: ReadonlyArray<unknown>, mergeKey: string) => {
  const array = [...live]
  let length = array.length
  const keyOf = (item: unknown) => (isRecord(item) ? item[mergeKey] : undefined)
  const position = (item: unknown) =>
    array.slice(0, length).findIndex((candidate) => scalarEqual(keyOf(candidate), keyOf(item)))
  const additions: Array<unknown> = []
  let replace = false
  for (const item of patch) {
    const directive = isRecord(item) ? item[directiveMarker] : undefined
    if (directive === undefined) additions.push(item)
    else if (directive === "replace") replace = true
    else if (directive === "delete")
      for (let index = position(item); index >= 0; index = position(item)) {
        array.copyWithin(index, index + 1, length)
        length--
      }
  }
  if (replace) return array
  for (const item of additions) {
    if (position(item) >= 0) continue
    // A full array is reallocated by Go's append: later items no longer land in the live list's.
    if (length === array.length) break
    array[length++] = item
  }
  return array
}

/** Checks that the patch list's items (deletions aside) appear in the `$setElementOrder` list, in its order. */
const checkElementOrder = (patchList: ReadonlyArray<unknown>, order: ReadonlyArray<unknown>, mergeKey: string) => {
  if (order.length === 0 || patchList.length === 0) return
  const items =
    mergeKey === ""
      ? patchList
      : patchList.filter((item) => {
          if (!isRecord(item)) throw badArgType(mapType, item)
          return item[directiveMarker] !== "delete"
        })
  // Both items are checked to be maps before either is checked for the key, as the server does.
  const sameItem = (left: unknown, right: unknown) => {
    if (mergeKey === "") return scalarEqual(left, right)
    if (!isRecord(left)) throw badArgType(mapType, left)
    if (!isRecord(right)) throw badArgType(mapType, right)
    return scalarEqual(keyed(left, mergeKey)[mergeKey], keyed(right, mergeKey)[mergeKey])
  }
  let patchIndex = 0
  let orderIndex = 0
  while (patchIndex < items.length && orderIndex < order.length) {
    const item = items[patchIndex]
    if (isRecord(item) && Object.hasOwn(item, directiveMarker)) {
      patchIndex++
      continue
    }
    if (sameItem(item, order[orderIndex])) patchIndex++
    orderIndex++
  }
  if (patchIndex < items.length)
    throw Status.unknownError(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goValue(order)}\n`
    )
}

/** Applies every `$setElementOrder/<field>` with its list: merged, then ordered as the directive says. */
const applyElementOrders = (original: JsonObject, patch: JsonObject, definition: string | undefined): void => {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue
    const order = patch[key]
    delete patch[key]
    if (!Array.isArray(order)) throw badArgType(sliceType, order)
    const name = fieldAfter(key, setElementOrderPrefix, badSetElementOrder)
    const hasOriginal = Object.hasOwn(original, name)
    const hasPatch = Object.hasOwn(patch, name)
    const originalList = original[name]
    const patchList = patch[name]
    if (hasOriginal && !Array.isArray(originalList)) throw badArgType(sliceType, originalList)
    if (hasPatch && !Array.isArray(patchList)) throw badArgType(sliceType, patchList)
    const live = Array.isArray(originalList) ? originalList : []
    const added = Array.isArray(patchList) ? patchList : []
    const field = lookup(definition, name)
    checkElementOrder(added, order, field.mergeKey)
    // The server's live object omits empty lists: an empty one there counts as absent.
    if (!hasPatch && live.length === 0) continue
    const merged = !hasPatch ? live : !hasOriginal ? removeDirectives(added) : mergeListField(live, added, field, false)
    if (!Array.isArray(merged)) throw badArgType(sliceType, merged)
    const { present, absent } = partition(merged, order, field.mergeKey)
    const ofMaps = elementType([live, added]) === mapType
    const serverOrder =
      hasOriginal && hasPatch && ofMaps && field.strategy === "merge"
        ? liveAfterMerge(live, added, field.mergeKey)
        : live
    setField(original, name, ordered(present, absent, order, serverOrder, field.mergeKey, ofMaps))
    delete patch[name]
  }
}

// ---------------------------------------------------------------- maps

/** `$patch` on a map: `replace` takes the patch as it is, `delete` empties the map. */
const mapDirective = (patch: JsonObject): JsonObject => {
  const directive = patch[directiveMarker]
  if (directive === "delete") return {}
  if (directive !== "replace") throw badPatchType(directive, patch)
  delete patch[directiveMarker]
  return kept(patch)
}

/** Merges `patch` into `original` (both owned by the engine, changed in place) under `definition`'s metadata. */
const mergeMap = (original: JsonObject, patch: JsonObject, definition: string | undefined): JsonObject => {
  if (Object.hasOwn(patch, directiveMarker)) return mapDirective(patch)
  applyRetainKeys(original, patch)
  applyElementOrders(original, patch, definition)
  for (const [patchKey, patchValue] of Object.entries(patch)) {
    const deleteList = patchKey.startsWith(deleteFromPrimitiveListPrefix)
    const key = deleteList ? fieldAfter(patchKey, deleteFromPrimitiveListPrefix, badPrimitiveList) : patchKey
    if (patchValue === null) {
      delete original[key]
      continue
    }
    if (!Object.hasOwn(original, key)) {
      if (!deleteList) setTaken(original, key, patchValue)
      continue
    }
    const originalValue = original[key]
    if (goType(originalValue) !== goType(patchValue)) {
      if (!deleteList) setTaken(original, key, patchValue)
      continue
    }
    const field = lookup(definition, key)
    if (isRecord(originalValue) && isRecord(patchValue)) {
      if (field.strategy === "replace") setField(original, key, kept(patchValue))
      else setField(original, key, mergeMap(originalValue, patchValue, field.definition))
    } else if (Array.isArray(originalValue) && Array.isArray(patchValue))
      setField(original, key, mergeListField(originalValue, patchValue, field, deleteList))
    else setField(original, key, patchValue)
  }
  return original
}

/**
 * `live` with the strategic merge patch `patch` applied, `definition` (the
 * OpenAPI name of the live object's kind) giving the field semantics. Throws
 * the server's `StatusFailure` for a patch it rejects.
 */
export const apply = (live: JsonObject, patch: unknown, definition: string | undefined): JsonObject => {
  // The server decodes the body into a Go map: `null` leaves it empty, anything but an object fails.
  if (patch === null) return cloneJson(live)
  if (!isRecord(patch))
    throw Status.badRequest(
      `json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch === "boolean" ? "bool" : typeof patch} into Go value of type map[string]interface {}`
    )
  return mergeMap(cloneJson(live), cloneJson(patch), definition)
}
