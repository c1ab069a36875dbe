/**
 * `WatchEvent<K>`: one line of a watch response. ADDED, MODIFIED and DELETED
 * carry the object; BOOKMARK carries only a resourceVersion (and, for the end
 * of a streaming list, the `k8s.io/initial-events-end` annotation); ERROR
 * carries a `Status` (410 Expired when the requested resourceVersion is gone).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { openStruct } from "./internal/open.js"
import { Status } from "./Status.js"

/**
 * The annotation on the bookmark that ends the initial events of a
 * `sendInitialEvents=true` watch.
 *
 * @category constants
 */
export const initialEventsEndAnnotation = "k8s.io/initial-events-end"

/**
 * The object of a BOOKMARK event: only the resourceVersion is meaningful.
 *
 * @category models
 */
export interface Bookmark {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata: {
    readonly resourceVersion: string
    readonly annotations?: { readonly [key: string]: string }
  }
}

/** The schema of a BOOKMARK event's object: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const Bookmark: Schema.Codec<Bookmark> = openStruct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: openStruct({
    resourceVersion: Schema.String,
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
  })
})

/** An object was created, or entered the watch (a selector now matches it, or the initial events of a list). @category models */
export interface Added<K> {
  readonly type: "ADDED"
  readonly object: K
}
/** An object changed. @category models */
export interface Modified<K> {
  readonly type: "MODIFIED"
  readonly object: K
}
/** An object was deleted, or left the watch (a selector no longer matches it); the object as it last was. @category models */
export interface Deleted<K> {
  readonly type: "DELETED"
  readonly object: K
}
/** A BOOKMARK: no change, only a resourceVersion the watch can be resumed from. @category models */
export interface BookmarkEvent {
  readonly type: "BOOKMARK"
  readonly object: Bookmark
}
/** An ERROR: the server ended the watch with a `Status` (410 Expired when the resourceVersion is too old). @category models */
export interface ErrorEvent {
  readonly type: "ERROR"
  readonly object: Status
}

/**
 * One watch event as a typed watch stream delivers it. An `ERROR` line never
 * reaches the consumer: the client fails the stream with `KubeApiError`
 * instead, so the type leaves it out.
 *
 * @category models
 */
export type WatchEvent<K> = Added<K> | Modified<K> | Deleted<K> | BookmarkEvent

/**
 * One line of a watch response as the server sends it, `ERROR` included.
 *
 * @category models
 */
export type WireEvent<K> = WatchEvent<K> | ErrorEvent

/**
 * The schema of a watch event whose object is decoded with `item`.
 *
 * @category schemas
 */
export const schema = <K>(item: Schema.Codec<K, unknown>): Schema.Codec<WireEvent<K>, unknown> =>
  Schema.Union([
    openStruct({ type: Schema.Literal("ADDED"), object: item }),
    openStruct({ type: Schema.Literal("MODIFIED"), object: item }),
    openStruct({ type: Schema.Literal("DELETED"), object: item }),
    openStruct({ type: Schema.Literal("BOOKMARK"), object: Bookmark }),
    openStruct({ type: Schema.Literal("ERROR"), object: Status })
  ])

/**
 * Whether a bookmark marks the end of the initial events of a streaming list.
 *
 * @category predicates
 */
export const isInitialEventsEnd = (bookmark: Bookmark): boolean =>
  bookmark.metadata.annotations?.[initialEventsEndAnnotation] === "true"
