/**
 * Plain JSON values as FakeKube stores them: objects are records of unknown
 * values, narrowed by guards rather than casts, and copied before they are
 * changed so a stored version is never mutated.
 */

/** A JSON object. */
export type JsonObject = { [key: string]: unknown }

/** Whether a value is a JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The object under `key`, or an empty one. */
export const recordAt = (object: JsonObject, key: string): JsonObject => {
  const value = object[key]
  return isRecord(value) ? value : {}
}

/** The string under `key`, or `undefined`. */
export const stringAt = (object: JsonObject, key: string): string | undefined => {
  const value = object[key]
  return typeof value === "string" ? value : undefined
}

/** The strings of a string array under `key`. */
export const stringsAt = (object: JsonObject, key: string): ReadonlyArray<string> => {
  const value = object[key]
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []
}

/** The string map under `key` (labels, annotations), skipping non-string values. */
export const stringMapAt = (object: JsonObject, key: string): { readonly [key: string]: string } => {
  const value = object[key]
  if (!isRecord(value)) return {}
  const map: Record<string, string> = {}
  for (const [name, item] of Object.entries(value)) if (typeof item === "string") map[name] = item
  return map
}

/** Deep structural equality of JSON values. */
export const jsonEqual = (left: unknown, right: unknown): boolean => {
  if (left === right) return true
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false
    return left.every((item, index) => jsonEqual(item, right[index]))
  }
  if (isRecord(left) && isRecord(right)) {
    const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined)
    const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined)
    if (leftKeys.length !== rightKeys.length) return false
    return leftKeys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]))
  }
  return false
}

/** A deep copy of a JSON value. */
export const cloneJson = <A>(value: A): A => structuredClone(value)

/**
 * Sets `object[key]` as an own data property. Plain assignment would call
 * the `__proto__` setter for that key and lose the field; `__proto__` is a
 * valid ConfigMap key or label name on a real server.
 */
export const setField = (object: JsonObject, key: string, value: unknown): void => {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}
