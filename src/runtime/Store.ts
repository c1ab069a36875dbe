/**
 * The Store: a local cache of one kind of object, kept up to date by a
 * watcher through `reflector`. It is what controllers read instead of asking
 * the API server, and what they subscribe to for changes.
 *
 * - `Init` … `InitApply` … `InitDone` fills a fresh buffer that replaces the
 *   cache at once at `InitDone`; objects missing from a relist are deleted
 *   then (and reported as `Deleted` changes), so a delete missed while the
 *   watch was down is still seen. Readers never see a half-built cache.
 * - `Apply` and `Delete` change the cache as they arrive.
 * - Reads: `get`, `list`, `find`, `filter`, `byIndex`; `waitUntilReady`
 *   waits for the first complete picture.
 * - `changes` is a stream of what changed (`Applied`, `Deleted`), for every
 *   subscriber.
 *
 * Memory: the cache keeps the decoded objects themselves — no copies, no
 * per-object wrappers, no key strings (objects are filed under their own
 * namespace and name strings), and indexes hold references. An optional
 * `transform` runs before storing; `withoutManagedFields` drops
 * `metadata.managedFields`, about half of a typical object's metadata.
 *
 * @since 0.1.0
 */
import { Deferred, Effect, Option, PubSub, type Scope, Stream } from "effect"
import type { KubeObject } from "../core/Resource.js"
import type { ObjectRef } from "./ObjectRef.js"
import type { WatcherEvent } from "./Watcher.js"

/**
 * A change to the cache.
 *
 * @category models
 */
export type Change<K> =
  | { readonly _tag: "Applied"; readonly object: K; readonly previous: K | undefined }
  | { readonly _tag: "Deleted"; readonly object: K }

/**
 * An index function: the values under which an object is filed in an
 * index (none, one or several).
 *
 * @category models
 */
export type IndexFunction<K> = (object: K) => ReadonlyArray<string>

/**
 * Store settings.
 *
 * @category models
 */
export interface Options<K> {
  /** Applied to each object before it is stored (e.g. `withoutManagedFields`). */
  readonly transform?: (object: K) => K
  /** Named indexes, queried with `byIndex(name, value)`. */
  readonly indexes?: { readonly [name: string]: IndexFunction<K> }
}

/**
 * A cache of one kind of object.
 *
 * @category models
 */
export interface Store<K> {
  /** The object with this namespace and name. */
  readonly get: (ref: ObjectRef) => Effect.Effect<Option.Option<K>>
  /** Every object. */
  readonly list: Effect.Effect<ReadonlyArray<K>>
  /** The objects of one namespace (`""` for cluster-scoped objects). */
  readonly listNamespace: (namespace: string) => Effect.Effect<ReadonlyArray<K>>
  /** The first object matching `predicate`. */
  readonly find: (predicate: (object: K) => boolean) => Effect.Effect<Option.Option<K>>
  /** Every object matching `predicate`. */
  readonly filter: (predicate: (object: K) => boolean) => Effect.Effect<ReadonlyArray<K>>
  /** The objects filed under `value` in the index `name`; empty for an unknown index. */
  readonly byIndex: (name: string, value: string) => Effect.Effect<ReadonlyArray<K>>
  /** How many objects are cached. */
  readonly size: Effect.Effect<number>
  /** Whether the first complete picture (`InitDone`) has arrived. */
  readonly isReady: Effect.Effect<boolean>
  /** Waits for the first complete picture. */
  readonly waitUntilReady: Effect.Effect<void>
  /** Every change from when the stream starts. */
  readonly changes: Stream.Stream<Change<K>>
  /**
   * Subscribes now, within the scope: no change after this point is missed,
   * however late the returned stream is run.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<Change<K>>, never, Scope.Scope>
  /** Applies a watcher event: the store's one writer, used by `reflector`. */
  readonly apply: (event: WatcherEvent<K>) => Effect.Effect<void>
}

type Objects<K> = Map<string, Map<string, K>>

const namespaceOf = (object: KubeObject): string => object.metadata?.namespace ?? ""
const nameOf = (object: KubeObject): string | undefined => object.metadata?.name
const versionOf = (object: KubeObject): string | undefined => object.metadata?.resourceVersion

const lookup = <K>(objects: Objects<K>, namespace: string, name: string): K | undefined =>
  objects.get(namespace)?.get(name)

/** Files an object; returns what it replaced. */
const put = <K extends KubeObject>(objects: Objects<K>, object: K): K | undefined => {
  const name = nameOf(object)
  if (name === undefined) return undefined
  const namespace = namespaceOf(object)
  let names = objects.get(namespace)
  if (names === undefined) {
    names = new Map()
    objects.set(namespace, names)
  }
  const previous = names.get(name)
  names.set(name, object)
  return previous
}

/** Removes an object by its namespace and name; returns what was there. */
const remove = <K extends KubeObject>(objects: Objects<K>, object: KubeObject): K | undefined => {
  const name = nameOf(object)
  if (name === undefined) return undefined
  const namespace = namespaceOf(object)
  const names = objects.get(namespace)
  const previous = names?.get(name)
  if (names !== undefined && previous !== undefined) {
    names.delete(name)
    if (names.size === 0) objects.delete(namespace)
  }
  return previous
}

function* values<K>(objects: Objects<K>): Generator<K> {
  for (const names of objects.values()) yield* names.values()
}

/** One index: value → the objects filed under it. */
class Index<K> {
  private readonly entries = new Map<string, Set<K>>()
  constructor(readonly indexFunction: IndexFunction<K>) {}
  add(object: K) {
    for (const value of this.indexFunction(object)) {
      let set = this.entries.get(value)
      if (set === undefined) {
        set = new Set()
        this.entries.set(value, set)
      }
      set.add(object)
    }
  }
  delete(object: K) {
    for (const value of this.indexFunction(object)) {
      const set = this.entries.get(value)
      if (set === undefined) continue
      set.delete(object)
      if (set.size === 0) this.entries.delete(value)
    }
  }
  clear() {
    this.entries.clear()
  }
  get(value: string): ReadonlyArray<K> {
    const set = this.entries.get(value)
    return set === undefined ? [] : Array.from(set)
  }
}

/**
 * Makes an empty store.
 *
 * @category constructors
 */
export const make = <K extends KubeObject>(options: Options<K> = {}): Effect.Effect<Store<K>> =>
  Effect.gen(function* () {
    const pubsub = yield* PubSub.unbounded<Change<K>>()
    const ready = yield* Deferred.make<void>()
    const transform = options.transform
    const indexes = new Map<string, Index<K>>()
    for (const [name, indexFunction] of Object.entries(options.indexes ?? {})) {
      indexes.set(name, new Index(indexFunction))
    }
    let objects: Objects<K> = new Map()
    let buffer: Objects<K> | undefined

    const indexAdd = (object: K) => {
      for (const index of indexes.values()) index.add(object)
    }
    const indexDelete = (object: K) => {
      for (const index of indexes.values()) index.delete(object)
    }

    const applyLive = (object: K): Change<K> | undefined => {
      const previous = put(objects, object)
      if (previous !== undefined) indexDelete(previous)
      indexAdd(object)
      return { _tag: "Applied", object, previous }
    }

    const deleteLive = (object: K): Change<K> | undefined => {
      const previous = remove(objects, object)
      if (previous === undefined) return undefined
      indexDelete(previous)
      return { _tag: "Deleted", object }
    }

    /** Swaps the buffer in and returns what differs from the old cache. */
    const swap = (next: Objects<K>): Array<Change<K>> => {
      const changes: Array<Change<K>> = []
      for (const [namespace, names] of objects) {
        for (const [name, object] of names) {
          if (lookup(next, namespace, name) === undefined) changes.push({ _tag: "Deleted", object })
        }
      }
      for (const object of values(next)) {
        const name = nameOf(object)
        const previous = name === undefined ? undefined : lookup(objects, namespaceOf(object), name)
        if (previous === undefined || versionOf(previous) !== versionOf(object)) {
          changes.push({ _tag: "Applied", object, previous })
        }
      }
      objects = next
      for (const index of indexes.values()) {
        index.clear()
        for (const object of values(objects)) index.add(object)
      }
      return changes
    }

    const publish = (change: Change<K> | undefined) =>
      change === undefined ? Effect.void : Effect.asVoid(PubSub.publish(pubsub, change))

    const apply = (event: WatcherEvent<K>): Effect.Effect<void> => {
      switch (event._tag) {
        case "Init":
          return Effect.sync(() => {
            buffer = new Map()
          })
        case "InitApply":
          return Effect.sync(() => {
            const object = transform === undefined ? event.object : transform(event.object)
            if (buffer === undefined) buffer = new Map()
            put(buffer, object)
          })
        case "InitDone":
          return Effect.suspend(() => {
            const changes = swap(buffer ?? new Map())
            buffer = undefined
            return PubSub.publishAll(pubsub, changes).pipe(Effect.andThen(Deferred.succeed(ready, undefined)))
          })
        case "Apply":
          return Effect.suspend(() => {
            const object = transform === undefined ? event.object : transform(event.object)
            if (buffer !== undefined) put(buffer, object)
            return publish(applyLive(object))
          })
        case "Delete":
          return Effect.suspend(() => {
            if (buffer !== undefined) remove(buffer, event.object)
            return publish(deleteLive(event.object))
          })
      }
    }

    const filter = (predicate: (object: K) => boolean) =>
      Effect.sync(() => {
        const matching: Array<K> = []
        for (const object of values(objects)) if (predicate(object)) matching.push(object)
        return matching
      })

    return {
      get: (ref) => Effect.sync(() => Option.fromUndefinedOr(lookup(objects, ref.namespace ?? "", ref.name))),
      list: Effect.sync(() => Array.from(values(objects))),
      listNamespace: (namespace) => Effect.sync(() => Array.from(objects.get(namespace)?.values() ?? [])),
      find: (predicate) =>
        Effect.sync(() => {
          for (const object of values(objects)) if (predicate(object)) return Option.some(object)
          return Option.none()
        }),
      filter,
      byIndex: (name, value) => Effect.sync(() => indexes.get(name)?.get(value) ?? []),
      size: Effect.sync(() => {
        let size = 0
        for (const names of objects.values()) size += names.size
        return size
      }),
      isReady: Deferred.isDone(ready),
      waitUntilReady: Deferred.await(ready),
      changes: Stream.fromPubSub(pubsub),
      subscribe: Effect.map(PubSub.subscribe(pubsub), Stream.fromSubscription),
      apply
    }
  })

/**
 * Applies a watcher's events to `store` as they pass: the returned stream
 * emits the same events after the store has seen each one. Run it (for
 * example with `Stream.runDrain`) to keep the store current.
 *
 * @category combinators
 */
export const reflector = <K extends KubeObject, E, R>(
  store: Store<K>,
  events: Stream.Stream<WatcherEvent<K>, E, R>
): Stream.Stream<WatcherEvent<K>, E, R> => Stream.tap(events, store.apply)

/**
 * An index function filing objects by namespace (`""` for cluster-scoped).
 *
 * @category indexes
 */
export const byNamespace: IndexFunction<KubeObject> = (object) => [namespaceOf(object)]

/**
 * An index function filing objects by the value of one label (objects
 * without it are not filed).
 *
 * @category indexes
 */
export const byLabel =
  (key: string): IndexFunction<KubeObject> =>
  (object) => {
    const value = object.metadata?.labels?.[key]
    return value === undefined ? [] : [value]
  }

/**
 * An index function filing objects by the uid of each owner.
 *
 * @category indexes
 */
export const byOwnerUid: IndexFunction<KubeObject> = (object) =>
  object.metadata?.ownerReferences?.map((owner) => owner.uid) ?? []

/**
 * A transform dropping `metadata.managedFields` (server-side apply
 * bookkeeping controllers rarely read), which roughly halves the metadata
 * kept per object.
 *
 * @category transforms
 */
export const withoutManagedFields = <K extends KubeObject>(object: K): K => {
  const metadata = object.metadata
  if (metadata?.managedFields === undefined) return object
  const { managedFields: _, ...rest } = metadata
  return { ...object, metadata: rest }
}
