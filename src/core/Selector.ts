/**
 * Label and field selectors: small typed builders that render the selector
 * strings the API server parses, escaping values so a selector built from
 * data can never change meaning.
 *
 * Label selectors support equality (`a=b`), inequality (`a!=b`), set-based
 * (`a in (x,y)`, `a notin (x,y)`) and existence (`a`, `!a`) requirements;
 * field selectors support `=` and `!=` on a field path, with the server's
 * backslash escaping of `\`, `,` and `=` in values.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { KubeRequestError } from "./KubeRequestError.js"

/**
 * One label requirement.
 *
 * @category models
 */
export type LabelRequirement =
  | { readonly _tag: "Equals"; readonly key: string; readonly value: string }
  | { readonly _tag: "NotEquals"; readonly key: string; readonly value: string }
  | { readonly _tag: "In"; readonly key: string; readonly values: ReadonlyArray<string> }
  | { readonly _tag: "NotIn"; readonly key: string; readonly values: ReadonlyArray<string> }
  | { readonly _tag: "Exists"; readonly key: string }
  | { readonly _tag: "DoesNotExist"; readonly key: string }

/** `key=value`. @category constructors */
export const equals = (key: string, value: string): LabelRequirement => ({ _tag: "Equals", key, value })
/** `key!=value` (also matches objects without the label). @category constructors */
export const notEquals = (key: string, value: string): LabelRequirement => ({ _tag: "NotEquals", key, value })
/** `key in (v1,v2)`. @category constructors */
export const isIn = (key: string, values: ReadonlyArray<string>): LabelRequirement => ({ _tag: "In", key, values })
/** `key notin (v1,v2)` (also matches objects without the label). @category constructors */
export const notIn = (key: string, values: ReadonlyArray<string>): LabelRequirement => ({ _tag: "NotIn", key, values })
/** `key`: the label is present. @category constructors */
export const exists = (key: string): LabelRequirement => ({ _tag: "Exists", key })
/** `!key`: the label is absent. @category constructors */
export const doesNotExist = (key: string): LabelRequirement => ({ _tag: "DoesNotExist", key })

/**
 * Requirements from a label map (`{ app: "web" }` → `app=web`), the form
 * `matchLabels` uses.
 *
 * @category constructors
 */
export const fromLabels = (labels: { readonly [key: string]: string }): ReadonlyArray<LabelRequirement> =>
  Object.keys(labels)
    .sort()
    .map((key) => equals(key, labels[key] ?? ""))

// A qualified name with an optional DNS-subdomain prefix, as apimachinery validates label keys.
const namePart = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/
const prefixPart = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/

const invalid = (detail: string) => Result.fail(new KubeRequestError({ field: "labelSelector", detail }))

const checkKey = (key: string): Result.Result<string, KubeRequestError> => {
  const slash = key.indexOf("/")
  const prefix = slash === -1 ? undefined : key.slice(0, slash)
  const name = slash === -1 ? key : key.slice(slash + 1)
  if (prefix !== undefined && (prefix.length > 253 || !prefixPart.test(prefix)))
    return invalid(`label key ${JSON.stringify(key)} has an invalid prefix`)
  if (name.length > 63 || !namePart.test(name)) return invalid(`label key ${JSON.stringify(key)} is not a valid name`)
  return Result.succeed(key)
}

const checkValue = (key: string, value: string): Result.Result<string, KubeRequestError> =>
  value.length <= 63 && labelValue.test(value)
    ? Result.succeed(value)
    : invalid(`value ${JSON.stringify(value)} of label ${JSON.stringify(key)} is not a valid label value`)

const renderRequirement = (requirement: LabelRequirement): Result.Result<string, KubeRequestError> =>
  Result.flatMap(checkKey(requirement.key), (key) => {
    switch (requirement._tag) {
      case "Exists":
        return Result.succeed(key)
      case "DoesNotExist":
        return Result.succeed(`!${key}`)
      case "Equals":
        return Result.map(checkValue(key, requirement.value), (value) => `${key}=${value}`)
      case "NotEquals":
        return Result.map(checkValue(key, requirement.value), (value) => `${key}!=${value}`)
      case "In":
      case "NotIn": {
        if (requirement.values.length === 0) return invalid(`"${requirement._tag}" on ${key} needs at least one value`)
        const values: Array<string> = []
        for (const value of [...requirement.values].sort()) {
          const checked = checkValue(key, value)
          if (Result.isFailure(checked)) return checked
          values.push(checked.success)
        }
        return Result.succeed(`${key} ${requirement._tag === "In" ? "in" : "notin"} (${values.join(",")})`)
      }
    }
  })

/**
 * Renders label requirements as a selector string (requirements joined with
 * `,`, which the server reads as AND). Fails on an invalid key or value, which
 * the server would reject anyway.
 *
 * @category rendering
 */
export const labelSelector = (
  requirements: ReadonlyArray<LabelRequirement>
): Result.Result<string, KubeRequestError> => {
  const parts: Array<string> = []
  for (const requirement of requirements) {
    const rendered = renderRequirement(requirement)
    if (Result.isFailure(rendered)) return rendered
    parts.push(rendered.success)
  }
  return Result.succeed(parts.join(","))
}

/**
 * One field requirement: `path=value` or `path!=value`.
 *
 * @category models
 */
export interface FieldRequirement {
  readonly path: string
  readonly operator: "=" | "!="
  readonly value: string
}

/** `path=value` (e.g. `metadata.name`, `spec.nodeName`, `status.phase`). @category constructors */
export const fieldEquals = (path: string, value: string): FieldRequirement => ({ path, operator: "=", value })
/** `path!=value`. @category constructors */
export const fieldNotEquals = (path: string, value: string): FieldRequirement => ({ path, operator: "!=", value })

/**
 * Escapes a field selector value as apimachinery's `fields.EscapeValue` does:
 * `\` → `\\`, `,` → `\,`, `=` → `\=`.
 *
 * @category rendering
 */
export const escapeFieldValue = (value: string): string => value.replace(/[\\,=]/g, (character) => `\\${character}`)

/**
 * Renders field requirements as a selector string.
 *
 * @category rendering
 */
export const fieldSelector = (
  requirements: ReadonlyArray<FieldRequirement>
): Result.Result<string, KubeRequestError> => {
  const parts: Array<string> = []
  for (const requirement of requirements) {
    if (!/^[A-Za-z0-9_.\-/]+$/.test(requirement.path))
      return Result.fail(
        new KubeRequestError({
          field: "fieldSelector",
          detail: `field path ${JSON.stringify(requirement.path)} is not a field path`
        })
      )
    parts.push(`${requirement.path}${requirement.operator}${escapeFieldValue(requirement.value)}`)
  }
  return Result.succeed(parts.join(","))
}
