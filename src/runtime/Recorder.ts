/**
 * An event recorder for controllers: publishes `events.k8s.io/v1` Events
 * about the objects a controller acts on, with the semantics of client-go's
 * `tools/events` broadcaster and kube-rs's `Recorder`.
 *
 * - Every Event names its reporter (`reportingController`, e.g.
 *   `example.com/mirror-controller`, and `reportingInstance`, e.g. the pod
 *   name) and lives in the regarding object's namespace (`default` for a
 *   cluster-scoped object), named `<regarding name>.<hex timestamp>`.
 * - Repeats are folded into a series: an Event equal to one published within
 *   the series window (type, reason, action, note, regarding and related
 *   object; default 6 minutes since the last occurrence, client-go's
 *   `finishTime`) patches the existing Event's `series.count` and
 *   `series.lastObservedTime` instead of creating another. Unlike client-go,
 *   which batches series updates into a 30-minute heartbeat, each repeat is
 *   sent at once, as kube-rs does. The regarding object is compared by
 *   identity (kind, namespace, name, uid), not resourceVersion, so repeats
 *   across updates of one object still fold.
 * - The note is cut to 1 KiB (UTF-8), the limit the API server enforces.
 * - Events are best-effort: `publish` never fails — a failure is logged at
 *   warning level with the event's reason and regarding object — so a
 *   reconcile is never failed by its own report. `emit` is the same with the
 *   error in the channel, for callers that want it.
 *
 * A recorder is a plain value built by `make` (it captures the `KubeClient`);
 * give one to each controller. Publishing is serialised per recorder so
 * concurrent reconciles count one series correctly.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Semaphore } from "effect"
import type { ObjectReference } from "../api/core/v1.js"
import { Event } from "../api/events/v1.js"
import * as Api from "../client/Api.js"
import { KubeClient } from "../client/KubeClient.js"
import { type KubeError, KubeRequestError } from "../client/KubeError.js"
import * as Patch from "../core/Patch.js"
import * as Resource from "../core/Resource.js"
import * as Time from "../core/Time.js"

export type { ObjectReference }

/**
 * Settings of a recorder.
 *
 * @category models
 */
export interface Options {
  /** The controller's name, e.g. `example.com/mirror-controller`. Required. */
  readonly reportingController: string
  /** This replica's identity (a pod name, a host name); at most 128 characters. */
  readonly reportingInstance: string
  /** How long after its last occurrence a repeated event still joins the series; default 6 minutes. */
  readonly seriesWindow?: Duration.Input
}

/**
 * `Normal` for expected progress, `Warning` for something a user should look at.
 *
 * @category models
 */
export type EventType = "Normal" | "Warning"

/**
 * An event to publish.
 *
 * @category models
 */
export interface EventInput {
  readonly type: EventType
  /** Why the action was taken, machine-readable CamelCase (`MirrorCreated`); at most 128 characters. */
  readonly reason: string
  /** What was done or failed, machine-readable (`Create`, `Cleanup`); at most 128 characters. */
  readonly action: string
  /** A human-readable description; cut to 1 KiB. */
  readonly note?: string
  /** The object the event is about; `reference(object)` builds one. */
  readonly regarding: ObjectReference
  /** A second object involved, e.g. the child created for `regarding`. */
  readonly related?: ObjectReference
}

/**
 * A recorder bound to one reporting controller and instance.
 *
 * @category models
 */
export interface Recorder {
  readonly reportingController: string
  readonly reportingInstance: string
  /** Publishes an event; a failure is logged and swallowed. */
  readonly publish: (event: EventInput) => Effect.Effect<void>
  /** Publishes an event and returns the Event as stored (created, or patched into a series). */
  readonly emit: (event: EventInput) => Effect.Effect<Event, KubeError>
}

/** The most bytes of a note the API server accepts (`NoteLengthLimit`). */
const noteLimitBytes = 1024
/** The longest reason, action and reportingInstance the API server accepts. */
const fieldLimit = 128
/** The longest object name (a DNS subdomain). */
const nameLimit = 253

/**
 * `note` cut to at most 1024 UTF-8 bytes, never inside a character.
 *
 * @category utils
 */
export const truncateNote = (note: string): string => {
  const bytes = new TextEncoder().encode(note)
  if (bytes.length <= noteLimitBytes) return note
  let end = noteLimitBytes
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return new TextDecoder().decode(bytes.subarray(0, end))
}

/**
 * A reference to `object` for `regarding` or `related`: its apiVersion, kind,
 * namespace, name, uid and resourceVersion. Pass the resource descriptor when
 * the object may lack `apiVersion` and `kind`.
 *
 * @category constructors
 */
export const reference = (
  object: Resource.KubeObject,
  resource?: Pick<Resource.ApiResource, "apiVersion" | "kind">
): ObjectReference => {
  const metadata = object.metadata
  const fields: Record<string, string | undefined> = {
    apiVersion: object.apiVersion ?? resource?.apiVersion,
    kind: object.kind ?? resource?.kind,
    namespace: metadata?.namespace,
    name: metadata?.name,
    uid: metadata?.uid,
    resourceVersion: metadata?.resourceVersion
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
}

const identityOf = (reference: ObjectReference | undefined) =>
  reference === undefined
    ? null
    : [reference.apiVersion, reference.kind, reference.namespace, reference.name, reference.uid, reference.fieldPath]

interface CacheEntry {
  readonly name: string
  readonly namespace: string
  readonly count: number
  readonly lastObservedMillis: number
}

const invalid = (field: string, detail: string) => Effect.fail(new KubeRequestError({ field, detail }))

const checkLength = (field: string, value: string) =>
  value === ""
    ? invalid(field, "must not be empty")
    : value.length > fieldLimit
      ? invalid(field, `must be at most ${fieldLimit} characters, got ${value.length}`)
      : Effect.void

/**
 * A recorder publishing as `options.reportingController` /
 * `options.reportingInstance`; fails with `KubeRequestError` when either is
 * empty or the instance is longer than 128 characters.
 *
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (options: Options) {
  if (options.reportingController === "") return yield* invalid("reportingController", "must not be empty")
  yield* checkLength("reportingInstance", options.reportingInstance)
  const client = yield* KubeClient
  const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options.seriesWindow ?? Duration.minutes(6)))
  const lock = yield* Semaphore.make(1)
  // Insertion order is last-occurrence order: an entry is re-inserted when it recurs,
  // so expired entries are always at the front.
  const cache = new Map<string, CacheEntry>()
  let lastNanos = 0n

  const evictExpired = (nowMillis: number) => {
    for (const [key, entry] of cache) {
      if (entry.lastObservedMillis + windowMillis > nowMillis) return
      cache.delete(key)
    }
  }

  const uniqueSuffix = Effect.map(Clock.currentTimeNanos, (nanos) => {
    lastNanos = nanos > lastNanos ? nanos : lastNanos + 1n
    return lastNanos.toString(16)
  })

  const create = Effect.fnUntraced(function* (
    key: string,
    input: EventInput,
    regardingName: string,
    namespace: string,
    note: string | undefined,
    nowMillis: number
  ) {
    const suffix = yield* uniqueSuffix
    const name = `${regardingName.slice(0, nameLimit - suffix.length - 1)}.${suffix}`
    const event: Event = {
      apiVersion: Event.apiVersion,
      kind: Event.kind,
      metadata: { name, namespace },
      eventTime: Time.microTimeFromMillis(nowMillis),
      type: input.type,
      reason: input.reason,
      action: input.action,
      ...(note === undefined ? {} : { note }),
      regarding: input.regarding,
      ...(input.related === undefined ? {} : { related: input.related }),
      reportingController: options.reportingController,
      reportingInstance: options.reportingInstance
    }
    const created = yield* Api.make(client, Event, Resource.namespace(namespace)).create(event)
    cache.set(key, { name, namespace, count: 1, lastObservedMillis: nowMillis })
    return created
  })

  const emit = Effect.fn("kube.event publish")(function* (input: EventInput) {
    yield* checkLength("reason", input.reason)
    yield* checkLength("action", input.action)
    const regardingName = input.regarding.name
    if (regardingName === undefined || regardingName === "") {
      return yield* invalid("regarding.name", "the regarding object must have a name")
    }
    const namespace = input.regarding.namespace ?? "default"
    const note = input.note === undefined ? undefined : truncateNote(input.note)
    const key = JSON.stringify([
      input.type,
      input.reason,
      input.action,
      note ?? null,
      identityOf(input.regarding),
      identityOf(input.related)
    ])
    yield* Effect.annotateCurrentSpan({ "kube.event.reason": input.reason, "kube.name": regardingName })
    return yield* lock.withPermit(
      Effect.gen(function* () {
        const nowMillis = yield* Clock.currentTimeMillis
        evictExpired(nowMillis)
        const previous = cache.get(key)
        if (previous === undefined) return yield* create(key, input, regardingName, namespace, note, nowMillis)
        const count = previous.count + 1
        const series = { series: { count, lastObservedTime: Time.microTimeFromMillis(nowMillis) } }
        return yield* Api.make(client, Event, Resource.namespace(previous.namespace))
          .patch(previous.name, Patch.merge(series))
          .pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                cache.delete(key)
                cache.set(key, { ...previous, count, lastObservedMillis: nowMillis })
              })
            ),
            // The Event expired on the server (its TTL is an hour by default): start a new one.
            Effect.catchIf(
              (error) => error._tag === "KubeApiError" && error.isNotFound,
              () => create(key, input, regardingName, namespace, note, nowMillis)
            )
          )
      })
    )
  })

  const publish = (input: EventInput): Effect.Effect<void> =>
    emit(input).pipe(
      Effect.asVoid,
      Effect.catch((error) =>
        Effect.logWarning("failed to publish event").pipe(
          Effect.annotateLogs({
            reason: input.reason,
            regarding: `${input.regarding.kind ?? ""} ${input.regarding.namespace ?? ""}/${input.regarding.name ?? ""}`,
            error: error.message
          })
        )
      )
    )

  const recorder: Recorder = {
    reportingController: options.reportingController,
    reportingInstance: options.reportingInstance,
    publish,
    emit
  }
  return recorder
})
