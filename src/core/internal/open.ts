/**
 * Open object schemas: structs that decode and re-encode every field they are
 * given, known or not. Kubernetes objects must survive get → replace without
 * losing a field a newer server (or a CRD extension) added, so every object
 * schema in this project is built with `openStruct`.
 *
 * The runtime schema carries an index signature for the unknown fields; callers
 * type the result with their own interface (`Schema.Codec<Pod>`) so users see
 * precise field types and TypeScript still catches typos.
 *
 * @internal
 */
import { Schema } from "effect"

const UnknownFields = Schema.Record(Schema.String, Schema.Unknown)

/** A struct that keeps unknown fields through decode and encode. */
export const openStruct = <const Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.StructWithRest(Schema.Struct(fields), [UnknownFields])

/** An object whose fields are all unknown: Kubernetes' free-form objects (`RawExtension`, `FieldsV1`). */
export const UnknownObject: Schema.Codec<{ readonly [key: string]: unknown }> = UnknownFields
