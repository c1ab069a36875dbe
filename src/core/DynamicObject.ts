/**
 * `DynamicObject`: any Kubernetes object, for kinds without a generated schema
 * (custom resources discovered at run time, untyped tools). It validates the
 * envelope (apiVersion, kind, metadata) and keeps every other field exactly as
 * it came.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { openStruct } from "./internal/open.js"
import { ObjectMeta } from "./ObjectMeta.js"

/**
 * An object of any kind; fields other than the envelope are `unknown`.
 *
 * @category models
 */
export interface DynamicObject {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata?: ObjectMeta
  readonly [field: string]: unknown
}

/** The schema of a `DynamicObject`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const DynamicObject: Schema.Codec<DynamicObject> = openStruct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(ObjectMeta)
})
