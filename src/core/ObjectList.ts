/**
 * `ObjectList<K>`: the body of a list response (`PodList`, `ConfigMapList`, a
 * custom resource's list), generic in the item schema. `items: null`, which
 * some servers send for an empty list, decodes as an empty array.
 *
 * @since 0.1.0
 */
import { Effect, Schema, SchemaGetter } from "effect"
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
 * An array of items, where a JSON `null` (a Go nil slice) decodes as `[]`. The
 * array branch is tried first, so a normal list pays nothing for it.
 */
const items = <K>(item: Schema.Codec<K, unknown>): Schema.Codec<ReadonlyArray<K>, unknown> => {
  const array = Schema.Array(item)
  return Schema.Union([
    array,
    Schema.Null.pipe(
      Schema.decodeTo(array, {
        decode: SchemaGetter.transform((): ReadonlyArray<never> => []),
        encode: SchemaGetter.transform((): null => null)
      })
    )
  ])
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
    items: items(item)
  })
