/**
 * Open object schemas: structs that decode and re-encode every field they are
 * given, known or not. Kubernetes objects must survive get → replace without
 * losing a field a newer server (or a CRD extension) added, so every object
 * schema in this project is built with `openStruct`.
 *
 * Two more things make an open struct fit the wire:
 * - **JSON `null` is a Go nil.** The API server writes `null` for unset fields
 *   that lack `omitempty` (`rules: null` on a Role, `lastProbeTime: null` on a
 *   pod condition, `items: null` on an empty list). A `null` in a declared
 *   optional field decodes as an absent field, in a required array or map
 *   field as an empty one; anywhere else it is an error. Unknown fields keep
 *   their nulls.
 * - **Valid input is returned as it is.** Each open struct installs a fast
 *   decoder in Effect's schema compiler registry (`SchemaCompiler.set`) that
 *   validates the input in place, without copying it, and returns the same
 *   object (or a copy of just the objects whose nulls it removed). Only when
 *   the input is invalid does the ordinary interpreter run, to report the path
 *   of every problem. The fast decoder is built from closures, never with
 *   `new Function`, so it works where eval is forbidden. Encoding stays with
 *   the interpreter: it keeps every field but writes the declared ones first
 *   (registering a fast encoder too would cost every import a walk of the
 *   flipped schemas, about 14 ms for `Pod`, for a rarely hot path).
 *
 * The runtime schema carries an index signature for the unknown fields; callers
 * type the result with their own interface (`Schema.Codec<Pod>`) so users see
 * precise field types and TypeScript still catches typos.
 *
 * @internal
 */
import { Schema, SchemaAST, SchemaGetter, SchemaParser } from "effect"
import { SchemaCompiler } from "effect/schema"

const UnknownFields = Schema.Record(Schema.String, Schema.Unknown)

/** An object whose fields are all unknown: Kubernetes' free-form objects (`RawExtension`, `FieldsV1`). */
export const UnknownObject: Schema.Codec<{ readonly [key: string]: unknown }> = UnknownFields

type Rest = readonly [typeof UnknownFields]

/** The schema `openStruct` returns: the struct's types, with unknown fields allowed. */
export type OpenStruct<Fields extends Schema.Struct.Fields> = Schema.Codec<
  Schema.StructWithRest<Schema.Struct<Fields>, Rest>["Type"],
  Schema.StructWithRest<Schema.Struct<Fields>, Rest>["Encoded"],
  Schema.StructWithRest<Schema.Struct<Fields>, Rest>["DecodingServices"],
  Schema.StructWithRest<Schema.Struct<Fields>, Rest>["EncodingServices"]
>

/** What a `null` in a declared field decodes as. */
type NullAs = "absent" | "emptyArray" | "emptyObject" | "error"

interface FieldSpec {
  readonly key: string
  /** The field's schema without its optional-key wrapper. */
  readonly ast: SchemaAST.AST
  readonly optional: boolean
  readonly nullAs: NullAs
}

interface StructSpec {
  readonly fields: ReadonlyMap<string, FieldSpec>
  readonly required: number
}

/** The spec of every open struct, by the AST of the schema `openStruct` returned. */
const structs = new WeakMap<SchemaAST.AST, StructSpec>()

const isRecord = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isMap = (ast: SchemaAST.AST): boolean =>
  ast._tag === "Objects" && ast.propertySignatures.length === 0 && ast.indexSignatures.length > 0

const nullAs = (ast: SchemaAST.AST, optional: boolean): NullAs =>
  optional ? "absent" : ast._tag === "Arrays" ? "emptyArray" : isMap(ast) ? "emptyObject" : "error"

const specOf = (fields: Schema.Struct.Fields): StructSpec => {
  const specs = new Map<string, FieldSpec>()
  let required = 0
  for (const [key, field] of Object.entries(fields)) {
    const optional = SchemaAST.isOptional(field.ast)
    // `Schema.optionalKey(S)` keeps `S` as `.schema`; its own AST is a copy of S's with the optional flag.
    const inner = optional && "schema" in field && Schema.isSchema(field.schema) ? field.schema.ast : field.ast
    specs.set(key, { key, ast: inner, optional, nullAs: nullAs(inner, optional) })
    if (!optional) required++
  }
  return { fields: specs, required }
}

/** What replaces a JSON `null` in a declared field: `absent` drops it; `undefined` means the null is invalid. */
const replaceNull = (nullAs: NullAs): unknown =>
  nullAs === "absent" ? absent : nullAs === "emptyArray" ? [] : nullAs === "emptyObject" ? {} : undefined

const absent = Symbol("absent")

/** A copy of `input` with some fields replaced (or dropped), keeping the key order. */
const rebuild = (
  input: { readonly [key: string]: unknown },
  changes: ReadonlyMap<string, unknown>
): { readonly [key: string]: unknown } => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(input)) {
    const value = changes.has(key) ? changes.get(key) : input[key]
    if (value === absent) continue
    if (key === "__proto__")
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    else out[key] = value
  }
  return out
}

/** Replaces the nulls of declared fields; used before the interpreter validates the struct. */
const normalizeNulls =
  (spec: StructSpec) =>
  (input: unknown): unknown => {
    if (!isRecord(input)) return input
    let changes: Map<string, unknown> | undefined
    for (const key of Object.keys(input)) {
      const field = spec.fields.get(key)
      if (field === undefined || input[key] !== null) continue
      const replacement = replaceNull(field.nullAs)
      if (replacement === undefined) continue
      changes ??= new Map()
      changes.set(key, replacement)
    }
    return changes === undefined ? input : rebuild(input, changes)
  }

// ---------------------------------------------------------------------------
// The fast decoder: a tree of closures that validate a value in place and
// return it (or a null-normalised copy), or `invalid`.

const invalid = SchemaCompiler.invalid

type Check = (value: unknown) => unknown

const checkString: Check = (value) => (typeof value === "string" ? value : invalid)
const checkNumber: Check = (value) => (typeof value === "number" ? value : invalid)
const checkInt: Check = (value) => (Number.isSafeInteger(value) ? value : invalid)
const checkBoolean: Check = (value) => (typeof value === "boolean" ? value : invalid)
const checkAny: Check = (value) => value
const checkObject: Check = (value) => (isRecord(value) ? value : invalid)

const intChecks = Schema.Int.ast.checks

const checkArray =
  (item: Check): Check =>
  (value) => {
    if (!Array.isArray(value)) return invalid
    let out: Array<unknown> | undefined
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index]
      const checked = item(element)
      if (checked === invalid) return invalid
      if (checked !== element) {
        out ??= [...value]
        out[index] = checked
      }
    }
    return out ?? value
  }

const checkMap =
  (item: Check): Check =>
  (value) => {
    if (!isRecord(value)) return invalid
    let changes: Map<string, unknown> | undefined
    for (const key of Object.keys(value)) {
      const element = value[key]
      const checked = item(element)
      if (checked === invalid) return invalid
      if (checked !== element) {
        changes ??= new Map()
        changes.set(key, checked)
      }
    }
    return changes === undefined ? value : rebuild(value, changes)
  }

const checkUnion =
  (members: ReadonlyArray<Check>): Check =>
  (value) => {
    for (const member of members) {
      const checked = member(value)
      if (checked !== invalid) return checked
    }
    return invalid
  }

interface CompiledField {
  /** The common scalar checks, inlined in the struct loop instead of called. */
  readonly scalar: "string" | "boolean" | "int" | undefined
  readonly check: Check
  readonly optional: boolean
  readonly nullAs: NullAs
}

const checkStruct =
  (fields: ReadonlyMap<string, CompiledField>, required: number): Check =>
  (value) => {
    if (!isRecord(value)) return invalid
    let changes: Map<string, unknown> | undefined
    let requiredSeen = 0
    for (const key in value) {
      const field = fields.get(key)
      if (field === undefined) continue
      const element = value[key]
      if (element === null) {
        const replacement = replaceNull(field.nullAs)
        if (replacement === undefined) return invalid
        changes ??= new Map()
        changes.set(key, replacement)
        if (replacement === absent) continue
      } else {
        switch (field.scalar) {
          case "string":
            if (typeof element !== "string") return invalid
            break
          case "boolean":
            if (typeof element !== "boolean") return invalid
            break
          case "int":
            if (!Number.isSafeInteger(element)) return invalid
            break
          default: {
            const checked = field.check(element)
            if (checked === invalid) return invalid
            if (checked !== element) {
              changes ??= new Map()
              changes.set(key, checked)
            }
          }
        }
      }
      if (!field.optional) requiredSeen++
    }
    if (requiredSeen !== required) return invalid
    return changes === undefined ? value : rebuild(value, changes)
  }

/** Compiled checks of open structs; `null` marks a struct the fast decoder cannot handle. */
const compiledStructs = new WeakMap<StructSpec, Check | null>()

const compileStruct = (spec: StructSpec): Check | undefined => {
  const cached = compiledStructs.get(spec)
  if (cached !== undefined) return cached ?? undefined
  // A recursive struct (JSONSchemaProps) meets itself while its fields compile.
  let compiled: Check | undefined
  const forward: Check = (value) => (compiled === undefined ? invalid : compiled(value))
  compiledStructs.set(spec, forward)
  const fields = new Map<string, CompiledField>()
  for (const [key, field] of spec.fields) {
    const check = compile(field.ast)
    if (check === undefined) {
      compiledStructs.set(spec, null)
      return undefined
    }
    const scalar =
      check === checkString ? "string" : check === checkBoolean ? "boolean" : check === checkInt ? "int" : undefined
    fields.set(key, { scalar, check, optional: field.optional, nullAs: field.nullAs })
  }
  compiled = checkStruct(fields, spec.required)
  compiledStructs.set(spec, compiled)
  return compiled
}

/** The fast check of an AST, or `undefined` when it uses something the fast decoder does not model. */
const compile = (ast: SchemaAST.AST): Check | undefined => {
  const struct = structs.get(ast)
  if (struct !== undefined) return compileStruct(struct)
  if (ast.encoding !== undefined) return undefined
  if (ast.checks !== undefined) return ast._tag === "Number" && ast.checks === intChecks ? checkInt : undefined
  switch (ast._tag) {
    case "String":
      return checkString
    case "Number":
      return checkNumber
    case "Boolean":
      return checkBoolean
    case "Unknown":
    case "Any":
      return checkAny
    case "Arrays": {
      const item = ast.elements.length === 0 && ast.rest.length === 1 && ast.rest[0] ? compile(ast.rest[0]) : undefined
      return item === undefined ? undefined : checkArray(item)
    }
    case "Objects": {
      const index = ast.indexSignatures[0]
      if (ast.propertySignatures.length > 0 || ast.indexSignatures.length !== 1 || index === undefined) return undefined
      const parameter = index.parameter
      if (parameter._tag !== "String" || parameter.checks !== undefined || parameter.encoding !== undefined)
        return undefined
      if (index.type._tag === "Unknown" && index.type.checks === undefined && index.type.encoding === undefined) {
        return checkObject
      }
      const item = compile(index.type)
      return item === undefined ? undefined : checkMap(item)
    }
    case "Union": {
      const members: Array<Check> = []
      for (const type of ast.types) {
        const member = compile(type)
        if (member === undefined) return undefined
        members.push(member)
      }
      return checkUnion(members)
    }
    case "Suspend":
      return compile(ast.thunk())
    default:
      return undefined
  }
}

/**
 * The fast `decode` operation of an open struct: `invalid` sends the input to
 * the interpreter, which reports the problems (and handles parse options the
 * fast path does not model).
 */
const fastDecode = (ast: SchemaAST.AST): SchemaCompiler.Decode | undefined => {
  const check = compile(ast)
  if (check === undefined) return undefined
  return (input, options) => (options.onExcessProperty === undefined ? check(input) : invalid)
}

/** A struct that keeps unknown fields through decode and encode. */
export const openStruct = <const Fields extends Schema.Struct.Fields>(fields: Fields): OpenStruct<Fields> => {
  const spec = specOf(fields)
  // Its precise types are restored by `Schema.make` below; in between only the AST matters.
  const struct: Schema.Codec<unknown, unknown, unknown, unknown> = Schema.StructWithRest(Schema.Struct(fields), [
    UnknownFields
  ])
  // The interpreter's view: replace the nulls of declared fields, then validate as a struct.
  const interpreted = Schema.Unknown.pipe(
    Schema.decodeTo(struct, {
      decode: SchemaGetter.transform(normalizeNulls(spec)),
      encode: SchemaGetter.passthrough({ strict: false })
    })
  )
  // The fast decoder is registered on a copy of that AST, so the interpreter
  // stays reachable, unmodified, as the detailed decoder behind it.
  const ast = interpreted.annotate({}).ast
  structs.set(ast, spec)
  SchemaCompiler.set(ast, {
    get decode() {
      return fastDecode(ast)
    },
    get decodeEffect() {
      return SchemaParser.decodeUnknownEffect(interpreted)
    }
  })
  // The encoded side is declared as the struct's: decoding accepts more (nulls), encoding produces exactly that.
  return Schema.make<OpenStruct<Fields>>(ast)
}
