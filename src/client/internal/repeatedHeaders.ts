/**
 * Headers that must be sent more than once (one `Impersonate-Group` per
 * group). Effect's `Headers` hold one value per name, and `fetch` joins
 * repeated values with commas, which the API server would read as one group
 * named "a, b". So repeated headers travel inside the request as one JSON
 * marker header; the Node transport expands it into real repeated headers
 * when it dispatches, and the fetch transport refuses it.
 *
 * @internal
 */

/** The marker header's name. */
export const markerHeader = "x-effect-kube-repeated-headers"

/** Encodes header pairs in which a name may repeat. */
export const encode = (pairs: ReadonlyArray<readonly [string, string]>): string => JSON.stringify(pairs)

const isPairs = (value: unknown): value is ReadonlyArray<readonly [string, string]> =>
  Array.isArray(value) &&
  value.every(
    (pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string"
  )

/** Decodes the marker's value; an unreadable marker yields no headers. */
export const decode = (value: string): ReadonlyArray<readonly [string, string]> => {
  try {
    const parsed: unknown = JSON.parse(value)
    return isPairs(parsed) ? parsed : []
  } catch {
    return []
  }
}
