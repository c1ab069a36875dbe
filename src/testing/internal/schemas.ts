/**
 * Schema work on written objects, as kube-apiserver does it:
 * - built-in kinds are decoded by their generated schema (a type mismatch is
 *   a 400, as Go's JSON decoder fails), then pruned of fields the schema does
 *   not declare, each reported as an `unknown field "x"` warning (the
 *   default `fieldValidation=Warn`; `Strict` makes them a 400);
 * - custom resources are validated against their CRD's `openAPIV3Schema`
 *   (types, required, enum, numeric bounds, lengths, patterns, item counts;
 *   one 422 with a cause per field, sorted by path) and pruned of unknown
 *   fields unless `x-kubernetes-preserve-unknown-fields` is set.
 * CEL rules (`x-kubernetes-validations`), formats and defaults are not
 * modelled.
 */
import type { Schema, SchemaAST } from "effect"
import { isRecord, type JsonObject, setField } from "./json.js"
import type { ResourceType } from "./resourceTypes.js"
import type { FieldError } from "./status.js"

/** A short description of a schema failure, for the 400 message. */
export const describeIssue = (error: Schema.SchemaError): string => error.message.split("\n").join(" ")

/** A pruned object and the warnings for what was dropped. */
export interface Pruned {
  readonly object: JsonObject
  readonly warnings: ReadonlyArray<string>
}

const joinPath = (path: string, key: string) => (path === "" ? key : `${path}.${key}`)

const pruneAst = (ast: SchemaAST.AST, value: unknown, path: string, warnings: Array<string>): unknown => {
  switch (ast._tag) {
    case "Suspend":
      return pruneAst(ast.thunk(), value, path, warnings)
    case "Union": {
      const member = ast.types.find((type) =>
        Array.isArray(value)
          ? type._tag === "Arrays"
          : isRecord(value)
            ? type._tag === "Objects" || type._tag === "Suspend"
            : false
      )
      return member === undefined ? value : pruneAst(member, value, path, warnings)
    }
    case "Arrays": {
      const element = ast.rest[0]
      if (!Array.isArray(value) || element === undefined) return value
      return value.map((item, index) => pruneAst(element, item, `${path}[${index}]`, warnings))
    }
    case "Objects": {
      if (!isRecord(value)) return value
      if (ast.propertySignatures.length === 0) {
        const valueType = ast.indexSignatures[0]?.type
        if (valueType === undefined || valueType._tag === "Unknown") return value
        const result: JsonObject = {}
        for (const [key, item] of Object.entries(value))
          setField(result, key, pruneAst(valueType, item, joinPath(path, key), warnings))
        return result
      }
      const known = new Map(ast.propertySignatures.map((signature) => [String(signature.name), signature.type]))
      const result: JsonObject = {}
      for (const [key, item] of Object.entries(value)) {
        const type = known.get(key)
        if (type === undefined) {
          warnings.push(`unknown field "${joinPath(path, key)}"`)
          continue
        }
        setField(result, key, pruneAst(type, item, joinPath(path, key), warnings))
      }
      return result
    }
    default:
      return value
  }
}

/** Drops the fields a built-in kind's schema does not declare. */
export const pruneBuiltIn = (ast: SchemaAST.AST, object: JsonObject): Pruned => {
  const warnings: Array<string> = []
  const pruned = pruneAst(ast, object, "", warnings)
  return { object: isRecord(pruned) ? pruned : object, warnings: warnings.sort() }
}

const typeName = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number"
  return typeof value
}

const typeMatches = (expected: string, value: unknown): boolean => {
  switch (expected) {
    case "object":
      return isRecord(value)
    case "array":
      return Array.isArray(value)
    case "string":
      return typeof value === "string"
    case "integer":
      return typeof value === "number" && Number.isInteger(value)
    case "number":
      return typeof value === "number"
    case "boolean":
      return typeof value === "boolean"
    default:
      return true
  }
}

const goValue = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value))

/** Validates and prunes one value against an OpenAPI v3 schema of a CRD. */
const checkValue = (
  schema: JsonObject,
  value: unknown,
  path: string,
  errors: Array<FieldError>,
  warnings: Array<string>,
  root: boolean
): unknown => {
  if (value === null) {
    if (schema.nullable === true) return value
    if (schema.type !== undefined)
      errors.push({
        type: "TypeInvalid",
        field: path,
        value: "null",
        detail: `${path} in body must be of type ${String(schema.type)}: "null"`
      })
    return value
  }
  const intOrString = schema["x-kubernetes-int-or-string"] === true
  if (intOrString) {
    if (!(typeof value === "string" || (typeof value === "number" && Number.isInteger(value))))
      errors.push({
        type: "TypeInvalid",
        field: path,
        value: typeName(value),
        detail: `${path} in body must be of type integer,string: "${typeName(value)}"`
      })
    return value
  }
  const type = typeof schema.type === "string" ? schema.type : undefined
  if (type !== undefined && !typeMatches(type, value)) {
    errors.push({
      type: "TypeInvalid",
      field: path,
      value: typeName(value),
      detail: `${path} in body must be of type ${type}: "${typeName(value)}"`
    })
    return value
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value))
    errors.push({
      type: "NotSupported",
      field: path,
      value,
      detail: `supported values: ${schema.enum.map(goValue).join(", ")}`
    })
  if (typeof value === "number") {
    if (
      typeof schema.minimum === "number" &&
      (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)
    )
      errors.push({
        type: "Invalid",
        field: path,
        value,
        detail: `${path} in body should be greater than ${schema.exclusiveMinimum === true ? "" : "or equal to "}${schema.minimum}`
      })
    if (
      typeof schema.maximum === "number" &&
      (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)
    )
      errors.push({
        type: "Invalid",
        field: path,
        value,
        detail: `${path} in body should be less than ${schema.exclusiveMaximum === true ? "" : "or equal to "}${schema.maximum}`
      })
  }
  if (typeof value === "string") {
    const length = [...value].length
    if (typeof schema.minLength === "number" && length < schema.minLength)
      errors.push({
        type: "Invalid",
        field: path,
        value,
        detail: `${path} in body should be at least ${schema.minLength} chars long`
      })
    if (typeof schema.maxLength === "number" && length > schema.maxLength)
      errors.push({ type: "TooLong", field: path, value, detail: `may not be more than ${schema.maxLength} bytes` })
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value))
      errors.push({ type: "Invalid", field: path, value, detail: `${path} in body should match '${schema.pattern}'` })
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      errors.push({
        type: "Invalid",
        field: path,
        value: typeName(value),
        detail: `${path} in body should have at least ${schema.minItems} items`
      })
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      errors.push({
        type: "TooLong",
        field: path,
        value: typeName(value),
        detail: `must have at most ${schema.maxItems} items`
      })
    const items = schema.items
    if (isRecord(items))
      return value.map((item, index) => checkValue(items, item, `${path}[${index}]`, errors, warnings, false))
    return value
  }
  if (isRecord(value)) {
    const properties = isRecord(schema.properties) ? schema.properties : undefined
    const additional = schema.additionalProperties
    const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true
    for (const required of Array.isArray(schema.required) ? schema.required : [])
      if (typeof required === "string" && value[required] === undefined)
        errors.push({ type: "Required", field: joinPath(path, required) })
    const result: JsonObject = {}
    for (const [key, item] of Object.entries(value)) {
      if (root && (key === "apiVersion" || key === "kind" || key === "metadata")) {
        setField(result, key, item)
        continue
      }
      const property = properties?.[key]
      if (isRecord(property))
        setField(result, key, checkValue(property, item, joinPath(path, key), errors, warnings, false))
      else if (isRecord(additional))
        setField(result, key, checkValue(additional, item, joinPath(path, key), errors, warnings, false))
      else if (additional === true || preserve || (properties === undefined && type === undefined))
        setField(result, key, item)
      else warnings.push(`unknown field "${joinPath(path, key)}"`)
    }
    return result
  }
  return value
}

/** The result of validating a custom resource. */
export interface CustomValidation extends Pruned {
  readonly errors: ReadonlyArray<FieldError>
}

/** Validates and prunes a custom resource against its version's `openAPIV3Schema`. */
export const validateCustom = (type: ResourceType, object: JsonObject): CustomValidation => {
  const schema = type.openApiSchema
  if (schema === undefined) return { object, warnings: [], errors: [] }
  const errors: Array<FieldError> = []
  const warnings: Array<string> = []
  const checked = checkValue(schema, object, "", errors, warnings, true)
  return {
    object: isRecord(checked) ? checked : object,
    warnings: warnings.sort(),
    errors: errors.sort((left, right) => (left.field < right.field ? -1 : left.field > right.field ? 1 : 0))
  }
}
