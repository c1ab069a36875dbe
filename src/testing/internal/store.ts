/**
 * FakeKube's storage: one global, monotonically increasing resourceVersion,
 * and per resource a collection of stored object versions with a sorted key
 * index (the order etcd returns keys in), a bounded history of changes
 * (what watches resume from and paginated lists take snapshots from) and
 * the watchers to notify.
 *
 * Every stored version is immutable and encodes its JSON once, on first
 * use, so lists and watch events are assembled from cached strings.
 */
import { isRecord, type JsonObject, recordAt, stringAt } from "./json.js"
import type { ResourceType } from "./resourceTypes.js"
import { type FieldMatcher, type LabelSelector, labelsOf, matchesLabels } from "./selectors.js"

/** One immutable version of an object. */
export class Stored {
  private body: string | undefined
  private metadataBody: string | undefined
  private readonly byApiVersion = new Map<string, string>()
  readonly key: string
  readonly namespace: string
  readonly name: string

  constructor(
    /** The object, `kind` and `apiVersion` included; never mutated. */
    readonly value: JsonObject,
    readonly resourceVersion: number
  ) {
    const metadata = recordAt(value, "metadata")
    this.namespace = stringAt(metadata, "namespace") ?? ""
    this.name = stringAt(metadata, "name") ?? ""
    this.key = keyOf(this.namespace, this.name)
  }

  /** The metadata. */
  get metadata(): JsonObject {
    return recordAt(this.value, "metadata")
  }

  /** The JSON of the object without `kind` and `apiVersion` (how typed lists carry items). */
  itemJson(): string {
    if (this.body === undefined) {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = this.value
      this.body = JSON.stringify(rest)
    }
    return this.body
  }

  /** The JSON of the object served at an apiVersion (custom resources are served at every version). */
  json(kind: string, apiVersion: string): string {
    let json = this.byApiVersion.get(apiVersion)
    if (json === undefined) {
      const body = this.itemJson()
      json = `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)}${body === "{}" ? "}" : `,${body.slice(1)}`}`
      this.byApiVersion.set(apiVersion, json)
    }
    return json
  }

  /** The JSON of the object's `PartialObjectMetadata`. */
  metadataJson(): string {
    if (this.metadataBody === undefined)
      this.metadataBody = `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(this.metadata)}}`
    return this.metadataBody
  }

  /** This version's content at another resourceVersion (a delete's final state, an object leaving a watch's selector). */
  withResourceVersion(resourceVersion: number): Stored {
    return new Stored(
      { ...this.value, metadata: { ...this.metadata, resourceVersion: String(resourceVersion) } },
      resourceVersion
    )
  }
}

/** The index key of an object: `namespace/name`, or `name` for cluster-scoped ones. */
export const keyOf = (namespace: string, name: string): string => (namespace === "" ? name : `${namespace}/${name}`)

/** One change of one object. */
export interface Change {
  readonly resourceVersion: number
  readonly type: "ADDED" | "MODIFIED" | "DELETED"
  /** The new version; for a delete, the last content at the delete's resourceVersion. */
  readonly object: Stored
  readonly previous: Stored | undefined
}

/** The event a watcher receives. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED"

/** A running watch on one collection. */
export interface Watcher {
  readonly namespace: string | undefined
  readonly labels: LabelSelector
  readonly fields: FieldMatcher | undefined
  readonly deliver: (type: WatchEventType, object: Stored) => void
}

/** Whether a stored version passes a watcher's or list's filters. */
export const passes = (filter: Pick<Watcher, "namespace" | "labels" | "fields">, object: Stored): boolean =>
  (filter.namespace === undefined || filter.namespace === object.namespace) &&
  (filter.labels.length === 0 || matchesLabels(filter.labels, labelsOf(object.value))) &&
  (filter.fields === undefined || filter.fields(object.value))

/** What a watcher sees of a change, by the watch cache's rules (leaving a selector is a delete). */
export const eventFor = (
  filter: Pick<Watcher, "namespace" | "labels" | "fields">,
  change: Change
): { readonly type: WatchEventType; readonly object: Stored } | undefined => {
  const current = change.type !== "DELETED" && passes(filter, change.object)
  const previous = change.previous !== undefined && passes(filter, change.previous)
  if (current) return { type: previous ? "MODIFIED" : "ADDED", object: change.object }
  if (!previous || change.previous === undefined) return undefined
  return {
    type: "DELETED",
    object: change.type === "DELETED" ? change.object : change.previous.withResourceVersion(change.resourceVersion)
  }
}

/** The index of the first of the sorted `keys` not before `key`. */
export const lowerBound = (keys: ReadonlyArray<string>, key: string): number => {
  let low = 0
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((keys[middle] ?? "") < key) low = middle + 1
    else high = middle
  }
  return low
}

/** A point-in-time view of a collection: objects by key and keys in order. */
export interface Snapshot {
  readonly objects: ReadonlyMap<string, Stored>
  readonly keys: ReadonlyArray<string>
}

/** The objects of one resource. */
export class Collection {
  readonly objects = new Map<string, Stored>()
  private keys: Array<string> = []
  private readonly history: Array<Change> = []
  private historyStart = 0
  /** Changes at or below this resourceVersion are no longer retained. */
  floor = 0
  readonly watchers = new Set<Watcher>()

  constructor(readonly historyLimit: number) {}

  /** Keys in order, optionally only those of one namespace. */
  keysIn(namespace: string | undefined, keys: ReadonlyArray<string> = this.keys): ReadonlyArray<string> {
    if (namespace === undefined) return keys
    return keys.slice(lowerBound(keys, `${namespace}/`), lowerBound(keys, `${namespace}0`))
  }

  /** Stores a new version and records the change; notifies watchers. */
  apply(change: Change): void {
    const key = change.object.key
    if (change.type === "DELETED") {
      this.objects.delete(key)
      const index = lowerBound(this.keys, key)
      if (this.keys[index] === key) this.keys.splice(index, 1)
    } else {
      if (!this.objects.has(key)) {
        const index = lowerBound(this.keys, key)
        this.keys.splice(index, 0, key)
      }
      this.objects.set(key, change.object)
    }
    this.history.push(change)
    if (this.history.length - this.historyStart > this.historyLimit) {
      const dropped = this.history[this.historyStart]
      if (dropped !== undefined) this.floor = dropped.resourceVersion
      this.historyStart++
      if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
        this.history.splice(0, this.historyStart)
        this.historyStart = 0
      }
    }
    for (const watcher of this.watchers) {
      const event = eventFor(watcher, change)
      if (event !== undefined) watcher.deliver(event.type, event.object)
    }
  }

  /** Retained changes after a resourceVersion, oldest first. */
  changesAfter(resourceVersion: number): ReadonlyArray<Change> {
    let low = this.historyStart
    let high = this.history.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((this.history[middle]?.resourceVersion ?? 0) <= resourceVersion) low = middle + 1
      else high = middle
    }
    return this.history.slice(low)
  }

  /** The live view. */
  live(): Snapshot {
    return { objects: this.objects, keys: this.keys }
  }

  /**
   * The collection as it was at a resourceVersion, rebuilt by undoing the
   * retained changes after it; `undefined` when that history is gone.
   */
  at(resourceVersion: number): Snapshot | undefined {
    const changes = this.changesAfter(resourceVersion)
    if (changes.length === 0) return this.live()
    if (resourceVersion < this.floor) return undefined
    const objects = new Map(this.objects)
    for (let index = changes.length - 1; index >= 0; index--) {
      const change = changes[index]
      if (change === undefined) continue
      if (change.previous === undefined) objects.delete(change.object.key)
      else objects.set(change.previous.key, change.previous)
    }
    return { objects, keys: [...objects.keys()].sort() }
  }
}

/** The global resourceVersion clock and the collections. */
export class Store {
  private current = 0
  private readonly collections = new Map<string, Collection>()

  constructor(readonly historyLimit: number) {}

  /** The latest resourceVersion. */
  get resourceVersion(): number {
    return this.current
  }

  /** The next resourceVersion, consumed. */
  nextResourceVersion(): number {
    this.current += 1
    return this.current
  }

  /** The collection of a resource type, created on first use. */
  collection(type: Pick<ResourceType, "storage">): Collection {
    let collection = this.collections.get(type.storage)
    if (collection === undefined) {
      collection = new Collection(this.historyLimit)
      this.collections.set(type.storage, collection)
    }
    return collection
  }

  /**
   * Starts the collection of a kind served from now on (a new
   * CustomResourceDefinition's): like the watch cache of a kind first served
   * later, its history starts at the current resourceVersion, so a watch
   * from an older one is 410 Expired.
   */
  startCollection(storage: string): void {
    if (this.collections.has(storage)) return
    const collection = new Collection(this.historyLimit)
    collection.floor = this.current
    this.collections.set(storage, collection)
  }

  /** Drops a collection (a deleted CustomResourceDefinition's objects). */
  dropCollection(storage: string): void {
    this.collections.delete(storage)
  }
}

/** Whether a value is a usable object (a JSON object whose metadata, if any, is an object). */
export const isObjectValue = (value: unknown): value is JsonObject =>
  isRecord(value) && (value.metadata === undefined || isRecord(value.metadata))
