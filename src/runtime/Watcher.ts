/**
 * The watcher: a watch that never ends. A raw `Api.watch` ends when the
 * connection drops and fails on an expired resourceVersion; `watcher(api)`
 * lists, watches, resumes and relists by itself and emits what a cache needs:
 *
 * - `Init`, one `InitApply` per existing object, `InitDone`: a full picture
 *   (after the first start and after every relist);
 * - `Apply` and `Delete`: changes after that.
 *
 * The initial picture comes from a paginated list (`limit`/`continue`, then a
 * watch from the list's resourceVersion) or, with `initialList: "Streaming"`,
 * from a streaming list (`sendInitialEvents=true`, ended by the
 * `k8s.io/initial-events-end` bookmark), which emits the same sequence —
 * `Init` included, unlike kube-rs. The watch resumes from the last seen
 * resourceVersion (bookmarks included) when the server ends it, when the
 * connection breaks, and when it is idle longer than its `timeoutSeconds`
 * plus `idleMargin` (a silently dead connection). A 410 Gone/Expired, as an
 * HTTP status or an in-stream ERROR event, starts a relist and is not
 * reported as a failure.
 *
 * The stream has no error channel: failures are retried after a jittered
 * exponential backoff (`Backoff.defaultPolicy`, configurable). Each failure
 * is logged at Warning level with Effect's logger, counted in the
 * `effect_kube_watcher_errors_total` counter (attribute `resource`), and
 * handed to `onError` if the caller gives one.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Metric, Option, Result, Stream } from "effect"
import type { Api } from "../client/Api.js"
import { KubeDecodeError, type KubeError } from "../client/KubeError.js"
import type * as ObjectList from "../core/ObjectList.js"
import * as Params from "../core/Params.js"
import type { PartialObjectMetadata } from "../core/PartialObjectMetadata.js"
import * as Resource from "../core/Resource.js"
import * as Selector from "../core/Selector.js"
import * as WatchEvent from "../core/WatchEvent.js"
import * as Backoff from "./Backoff.js"

/** A relist starts: what follows until `InitDone` is the complete set. @category models */
export interface Init {
  readonly _tag: "Init"
}
/** One object of the complete set. @category models */
export interface InitApply<K> {
  readonly _tag: "InitApply"
  readonly object: K
}
/** The complete set has been sent: objects not in it are gone. @category models */
export interface InitDone {
  readonly _tag: "InitDone"
}
/** An object was created or changed. @category models */
export interface Apply<K> {
  readonly _tag: "Apply"
  readonly object: K
}
/** An object was deleted (its last state). @category models */
export interface Delete<K> {
  readonly _tag: "Delete"
  readonly object: K
}

/**
 * What a watcher emits.
 *
 * @category models
 */
export type WatcherEvent<K> = Init | InitApply<K> | InitDone | Apply<K> | Delete<K>

const init: Init = { _tag: "Init" }
const initDone: InitDone = { _tag: "InitDone" }

/**
 * How the initial set is fetched: a paginated list then a watch, or one
 * streaming-list watch (Kubernetes ≥ 1.34 serves it by default; lower peak
 * memory on the server and the client).
 *
 * @category models
 */
export type InitialList = "List" | "Streaming"

/**
 * Watcher settings.
 *
 * @category models
 */
export interface Config {
  readonly labelSelector?: Params.LabelSelectorInput
  readonly fieldSelector?: Params.FieldSelectorInput
  /** Watch one object by name (a `metadata.name` field selector). */
  readonly name?: string
  /** The page size of the initial list; default 500. */
  readonly pageSize?: number
  /** Default `"List"`. A server that rejects a streaming list makes the watcher fall back to `"List"`. */
  readonly initialList?: InitialList
  /** The `timeoutSeconds` of each watch request; default 290. */
  readonly timeoutSeconds?: number
  /** How much longer than `timeoutSeconds` a watch may stay silent before it is treated as dead; default 5 s. */
  readonly idleMargin?: Duration.Input
  /** The backoff between failed attempts; unset fields take `Backoff.defaultPolicy`'s values. */
  readonly backoff?: Partial<Backoff.Policy>
  /** Told about every failure (after it is logged and counted); the watcher carries on regardless. */
  readonly onError?: (error: KubeError) => Effect.Effect<void>
}

/** What the watcher needs from an `Api`: a list and a watch of one kind of object. */
interface Source<K> {
  readonly resource: Resource.ApiResource
  readonly scope: Resource.Scope
  readonly list: (params: Params.ListParams) => Effect.Effect<ObjectList.ObjectList<K>, KubeError>
  readonly watch: (params: Params.WatchParams) => Stream.Stream<WatchEvent.WatchEvent<K>, KubeError>
}

const watcherErrors = Metric.counter("effect_kube_watcher_errors_total", {
  description: "Failed list and watch attempts of effect-kube watchers (each followed by a backoff and a retry)"
})

const isGone = (error: KubeError): boolean => error._tag === "KubeApiError" && error.isGone

/** A server that does not know streaming lists rejects the parameter as invalid. */
const rejectsStreamingList = (error: KubeError): boolean =>
  error._tag === "KubeApiError" && (error.code === 400 || error.code === 422)

const withName = (
  fieldSelector: Params.FieldSelectorInput | undefined,
  name: string | undefined
): Params.FieldSelectorInput | undefined => {
  if (name === undefined) return fieldSelector
  const byName = Selector.fieldEquals("metadata.name", name)
  if (fieldSelector === undefined) return [byName]
  if (typeof fieldSelector === "string")
    return fieldSelector === "" ? [byName] : `metadata.name=${Selector.escapeFieldValue(name)},${fieldSelector}`
  return [byName, ...fieldSelector]
}

/** A watch or list ended in < 1 s without an event: client-go counts that as a failure. */
const shortWatchMillis = 1000

const run = <K extends Resource.KubeObject>(source: Source<K>, config: Config): Stream.Stream<WatcherEvent<K>> =>
  Stream.suspend(() => {
    const policy: Backoff.Policy = { ...Backoff.defaultPolicy, ...config.backoff }
    const backoff = Backoff.make(policy)
    const timeoutSeconds = config.timeoutSeconds ?? Params.defaultWatchTimeoutSeconds
    const idleLimit = Duration.sum(
      Duration.seconds(timeoutSeconds),
      Duration.fromInputUnsafe(config.idleMargin ?? Duration.seconds(5))
    )
    const pageSize = config.pageSize ?? 500
    const fieldSelector = withName(config.fieldSelector, config.name)
    const selectors = {
      ...(config.labelSelector === undefined ? {} : { labelSelector: config.labelSelector }),
      ...(fieldSelector === undefined ? {} : { fieldSelector })
    }
    const errors = Metric.withAttributes(watcherErrors, { resource: source.resource.plural })
    const logAnnotations = { resource: source.resource.plural, group: source.resource.group }

    // The state machine: no resourceVersion → (re)list; otherwise watch from it.
    let resourceVersion: string | undefined
    let streaming = config.initialList === "Streaming"
    /** No watch event since the last complete list: a 410 now means relisting cannot keep up. */
    let sinceList = false

    /** Logs, counts and reports a failure, then waits out the backoff. */
    const failed = (error: KubeError): Stream.Stream<never> =>
      Stream.fromEffect(
        Effect.gen(function* () {
          const wait = yield* backoff.next
          yield* Effect.logWarning("watcher: attempt failed, retrying", error.message).pipe(
            Effect.annotateLogs({ ...logAnnotations, retryInMillis: Duration.toMillis(wait) })
          )
          yield* Metric.update(errors, 1)
          if (config.onError !== undefined) yield* config.onError(error)
          yield* Effect.sleep(wait)
        })
      ).pipe(Stream.drain)

    /** Logs a relist; `wait`s out the backoff first when relisting made no progress (a 410 loop). */
    const relist = (reason: string, wait: boolean): Stream.Stream<never> =>
      Stream.fromEffect(
        Effect.gen(function* () {
          yield* Effect.logDebug("watcher: relisting", reason).pipe(Effect.annotateLogs(logAnnotations))
          if (wait) yield* Effect.sleep(yield* backoff.next)
        })
      ).pipe(Stream.drain)

    const missingResourceVersion = () =>
      new KubeDecodeError({
        method: "GET",
        url: Resource.collectionPath(source.resource, source.scope),
        reason: "SchemaMismatch",
        path: "metadata.resourceVersion",
        detail: "a list without a resourceVersion cannot be watched from"
      })

    const listPhase: Stream.Stream<WatcherEvent<K>> = Stream.suspend(() => {
      let listedVersion: string | undefined
      const pages = Stream.paginate(undefined as string | undefined, (token) =>
        Effect.map(
          source.list(
            token === undefined ? { ...selectors, limit: pageSize } : { ...selectors, limit: pageSize, continue: token }
          ),
          (page) => {
            const next = page.metadata.continue
            if (next === undefined || next === "") listedVersion = page.metadata.resourceVersion
            const events = page.items.map((object): WatcherEvent<K> => ({ _tag: "InitApply", object }))
            return [events, next === undefined || next === "" ? Option.none() : Option.some(next)] as const
          }
        )
      )
      const done = Stream.suspend(() => {
        if (listedVersion === undefined || listedVersion === "") return Stream.fail(missingResourceVersion())
        resourceVersion = listedVersion
        sinceList = true
        return Stream.succeed<WatcherEvent<K>>(initDone)
      })
      return Stream.succeed<WatcherEvent<K>>(init).pipe(
        Stream.concat(pages),
        Stream.concat(done),
        Stream.catch((error: KubeError) =>
          // An expired continue token: start the list again (a new Init).
          isGone(error) ? relist("continue token expired", false) : failed(error)
        )
      )
    })

    /** One watch connection from `from`; `initial` for a streaming list still sending its initial events. */
    const watchPhase = (from: string | undefined, initial: boolean): Stream.Stream<WatcherEvent<K>> =>
      Stream.unwrap(
        Effect.map(Clock.currentTimeMillis, (startedAt) => {
          let inInitialEvents = initial
          let received = false
          let failure = false
          const params: Params.WatchParams = {
            ...selectors,
            allowWatchBookmarks: true,
            timeoutSeconds,
            ...(from === undefined ? {} : { resourceVersion: from }),
            ...(initial ? { sendInitialEvents: true } : {})
          }
          const toEvent = (event: WatchEvent.WatchEvent<K>): Result.Result<WatcherEvent<K>, void> => {
            received = true
            sinceList = false
            switch (event.type) {
              case "ADDED":
              case "MODIFIED": {
                if (!inInitialEvents) resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion
                return Result.succeed({ _tag: inInitialEvents ? "InitApply" : "Apply", object: event.object })
              }
              case "DELETED":
                if (!inInitialEvents) resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion
                return Result.succeed({ _tag: "Delete", object: event.object })
              case "BOOKMARK": {
                if (inInitialEvents) {
                  if (!WatchEvent.isInitialEventsEnd(event.object)) return Result.failVoid
                  inInitialEvents = false
                  resourceVersion = event.object.metadata.resourceVersion
                  return Result.succeed(initDone)
                }
                resourceVersion = event.object.metadata.resourceVersion
                return Result.failVoid
              }
            }
          }
          const connection = source.watch(params).pipe(
            Stream.timeoutOrElse({
              duration: idleLimit,
              orElse: () =>
                Stream.fromEffect(
                  Effect.logWarning("watcher: watch idle past its timeout, reconnecting").pipe(
                    Effect.annotateLogs(logAnnotations)
                  )
                ).pipe(Stream.drain)
            }),
            Stream.filterMap(toEvent),
            Stream.catch((error: KubeError) => {
              failure = true
              if (isGone(error)) {
                resourceVersion = undefined
                // A 410 right after a complete list could loop: back off then.
                return relist(error.message, sinceList)
              }
              if (initial && rejectsStreamingList(error)) {
                streaming = false
                return Stream.fromEffect(
                  Effect.logWarning("watcher: streaming list rejected, falling back to list", error.message)
                ).pipe(Stream.drain)
              }
              return failed(error)
            })
          )
          const ended = Stream.suspend(() => {
            // A streaming list that ended before its bookmark starts again from scratch.
            if (inInitialEvents) resourceVersion = undefined
            if (failure || received) return Stream.empty
            return Stream.unwrap(
              Effect.map(Clock.currentTimeMillis, (now) =>
                now - startedAt < shortWatchMillis
                  ? Stream.fromEffect(Effect.flatMap(backoff.next, Effect.sleep)).pipe(Stream.drain)
                  : Stream.empty
              )
            )
          })
          return initial
            ? Stream.succeed<WatcherEvent<K>>(init).pipe(Stream.concat(connection), Stream.concat(ended))
            : Stream.concat(connection, ended)
        })
      )

    const attempt = Stream.suspend(() => {
      if (resourceVersion !== undefined) return watchPhase(resourceVersion, false)
      return streaming ? watchPhase(undefined, true) : listPhase
    })
    return Stream.forever(attempt)
  })

/**
 * A watcher of the objects of `api`'s kind in its scope.
 *
 * ```ts
 * const pods = yield* Api.all(Pod)
 * yield* Watcher.watcher(pods, { labelSelector: "app=web" }).pipe(
 *   Stream.runForEach((event) => Effect.log(event._tag))
 * )
 * ```
 *
 * @category constructors
 */
export const watcher = <K extends Resource.KubeObject>(
  api: Api<K>,
  config: Config = {}
): Stream.Stream<WatcherEvent<K>> =>
  run(
    {
      resource: api.resource,
      scope: api.scope,
      list: (params) => api.list(params),
      watch: (params) => api.watch(params)
    },
    config
  )

/**
 * A watcher of the objects' metadata only (`PartialObjectMetadata`): a
 * fraction of the memory and bandwidth of full objects, enough for owner
 * references, labels and annotations.
 *
 * @category constructors
 */
export const metadataWatcher = <K extends Resource.KubeObject>(
  api: Api<K>,
  config: Config = {}
): Stream.Stream<WatcherEvent<PartialObjectMetadata>> =>
  run(
    {
      resource: api.resource,
      scope: api.scope,
      list: (params) => api.listMetadata(params),
      watch: (params) => api.watchMetadata(params)
    },
    config
  )

/**
 * The objects an event carries (none for `Init` and `InitDone`): every
 * object that was touched, deleted ones included — what a controller
 * triggers on.
 *
 * @category getters
 */
export const touched = <K>(event: WatcherEvent<K>): ReadonlyArray<K> =>
  event._tag === "Init" || event._tag === "InitDone" ? [] : [event.object]
