/**
 * `PartialObjectMetadata`: an object reduced to its metadata, what the server
 * returns when asked with the `as=PartialObjectMetadata` Accept header. Used
 * by metadata-only get, list and watch, which cost a fraction of the full
 * objects (the controller runtime watches owned objects this way).
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import { DynamicObject } from "./DynamicObject.js"
import type { ObjectMeta } from "./ObjectMeta.js"

/**
 * An object's type information and metadata, nothing else.
 *
 * @category models
 */
export interface PartialObjectMetadata {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata?: ObjectMeta
}

/** The schema of a `PartialObjectMetadata` (the `DynamicObject` schema: metadata decoded, the rest kept). @category schemas */
export const PartialObjectMetadata: Schema.Codec<PartialObjectMetadata> = DynamicObject

/** The Accept header for one object's metadata. */
export const acceptObject = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"

/** The Accept header for a list of objects' metadata. */
export const acceptList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
