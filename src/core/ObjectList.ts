/**
 * `ObjectList<K>`: the body of a list response (`PodList`, `ConfigMapList`, a
 * custom resource's list), generic in the item schema. `items: null`, which
 * some servers send for an empty list, decodes as an empty array (an open
 * struct reads a `null` in a required array field that way).
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { openStruct } from "./internal/open.js"
import { ListMeta } from "./ObjectMeta.js"

/**
 * A list of objects with the snapshot's metadata.
 *
 * @category models
 */
export interface ObjectList<K> {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata: ListMeta
  readonly items: ReadonlyArray<K>
}

/**
 * The schema of a list of `item`. Missing list metadata decodes as `{}`
 * so callers can always read `list.metadata.resourceVersion`.
 *
 * @category schemas
 */
export const schema = <K>(item: Schema.Codec<K, unknown>): Schema.Codec<ObjectList<K>, unknown> =>
  openStruct({
    apiVersion: Schema.optionalKey(Schema.String),
    kind: Schema.optionalKey(Schema.String),
    metadata: ListMeta.pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
    items: Schema.Array(item)
  })
