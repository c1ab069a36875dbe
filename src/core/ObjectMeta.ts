/**
 * The metadata every Kubernetes object and list carries: `ObjectMeta`,
 * `OwnerReference`, `ManagedFieldsEntry`, `ListMeta` and `ShardInfo`, as open schemas that
 * keep fields a newer server adds. Timestamps stay the RFC 3339 strings the
 * server sent, so decode → encode is byte-for-byte faithful.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { openStruct } from "./internal/open.js"
import { Time } from "./Time.js"

/**
 * A reference from an object to its owner; the garbage collector deletes the
 * dependent when every owner is gone.
 *
 * @category models
 */
export interface OwnerReference {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly uid: string
  readonly controller?: boolean
  readonly blockOwnerDeletion?: boolean
}

/** The schema of `OwnerReference`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const OwnerReference: Schema.Codec<OwnerReference> = openStruct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  uid: Schema.String,
  controller: Schema.optionalKey(Schema.Boolean),
  blockOwnerDeletion: Schema.optionalKey(Schema.Boolean)
})

/**
 * One field manager's ownership record, written by the server for server-side
 * apply. `fieldsV1` is an opaque JSON tree kept as it came.
 *
 * @category models
 */
export interface ManagedFieldsEntry {
  readonly manager?: string
  readonly operation?: string
  readonly apiVersion?: string
  readonly time?: string
  readonly fieldsType?: string
  readonly fieldsV1?: unknown
  readonly subresource?: string
}

/** The schema of `ManagedFieldsEntry`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const ManagedFieldsEntry: Schema.Codec<ManagedFieldsEntry> = openStruct({
  manager: Schema.optionalKey(Schema.String),
  operation: Schema.optionalKey(Schema.String),
  apiVersion: Schema.optionalKey(Schema.String),
  time: Schema.optionalKey(Time),
  fieldsType: Schema.optionalKey(Schema.String),
  fieldsV1: Schema.optionalKey(Schema.Unknown),
  subresource: Schema.optionalKey(Schema.String)
})

/**
 * Standard object metadata (`metav1.ObjectMeta`).
 *
 * @category models
 */
export interface ObjectMeta {
  readonly name?: string
  readonly generateName?: string
  readonly namespace?: string
  readonly uid?: string
  readonly resourceVersion?: string
  readonly generation?: number
  readonly creationTimestamp?: string
  readonly deletionTimestamp?: string
  readonly deletionGracePeriodSeconds?: number
  readonly labels?: { readonly [key: string]: string }
  readonly annotations?: { readonly [key: string]: string }
  readonly ownerReferences?: ReadonlyArray<OwnerReference>
  readonly finalizers?: ReadonlyArray<string>
  readonly managedFields?: ReadonlyArray<ManagedFieldsEntry>
  readonly selfLink?: string
}

const StringMap = Schema.Record(Schema.String, Schema.String)

/** The schema of `ObjectMeta`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const ObjectMeta: Schema.Codec<ObjectMeta> = openStruct({
  name: Schema.optionalKey(Schema.String),
  generateName: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.optionalKey(Schema.String),
  generation: Schema.optionalKey(Schema.Number),
  creationTimestamp: Schema.optionalKey(Time),
  deletionTimestamp: Schema.optionalKey(Time),
  deletionGracePeriodSeconds: Schema.optionalKey(Schema.Number),
  labels: Schema.optionalKey(StringMap),
  annotations: Schema.optionalKey(StringMap),
  ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference)),
  finalizers: Schema.optionalKey(Schema.Array(Schema.String)),
  managedFields: Schema.optionalKey(Schema.Array(ManagedFieldsEntry)),
  selfLink: Schema.optionalKey(Schema.String)
})

/**
 * The shard selector a list response was filtered by; its presence means the
 * list is a subset of the collection.
 *
 * @category models
 */
export interface ShardInfo {
  readonly selector: string
}

/** The schema of `ShardInfo`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const ShardInfo: Schema.Codec<ShardInfo> = openStruct({
  selector: Schema.String
})

/**
 * Metadata of a list response: the snapshot's resourceVersion and, when more
 * pages remain, the continue token.
 *
 * @category models
 */
export interface ListMeta {
  readonly resourceVersion?: string
  readonly continue?: string
  readonly remainingItemCount?: number
  readonly selfLink?: string
  readonly shardInfo?: ShardInfo
}

/** The schema of `ListMeta`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const ListMeta: Schema.Codec<ListMeta> = openStruct({
  resourceVersion: Schema.optionalKey(Schema.String),
  continue: Schema.optionalKey(Schema.String),
  remainingItemCount: Schema.optionalKey(Schema.Number),
  selfLink: Schema.optionalKey(Schema.String),
  shardInfo: Schema.optionalKey(ShardInfo)
})
