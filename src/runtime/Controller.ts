/**
 * The Controller: runs a `reconcile` function for each object of a kind
 * whenever it (or something related to it) changes, until its scope closes.
 *
 * ```ts
 * const configMaps = yield* Api.all(ConfigMap)
 * yield* Controller.make(configMaps).pipe(
 *   Controller.owns(secrets),
 *   Controller.run({
 *     reconcile: (configMap) => Effect.as(ensureSecret(configMap), Controller.requeue("5 minutes"))
 *   })
 * )
 * ```
 *
 * - Triggers: the object itself (its watcher feeds a `Store`), objects it
 *   `owns` (their `ownerReferences`, watched metadata-only), any other kind
 *   it `watches` through a mapper, and `reconcileAllOn` streams (or the
 *   handle's `reconcileAll`).
 * - Scheduling: one de-duplicated queue where the earliest time wins; at
 *   most `concurrency` reconciles at once; never two reconciles of the same
 *   object at once — a trigger arriving during a reconcile runs it again
 *   right after. Nothing runs before the store holds its first complete list.
 * - Each reconcile gets the latest object from the store (a deleted object
 *   is skipped; one with a `deletionTimestamp` is still passed, for
 *   finalizers) and returns an `Action`: `requeue(after)` or `awaitChange`.
 * - Failures back off per object, exponentially (`base` doubling up to
 *   `max`, reset by a success), while other objects keep being reconciled;
 *   an `errorPolicy` may decide otherwise.
 * - Each reconcile is one span, `reconcile <Kind>`, with the object's
 *   namespace and name as attributes.
 * - Shutdown: when the scope closes, no new reconcile starts and running
 *   ones finish (bounded by `shutdownTimeout` if given).
 *
 * @since 0.1.0
 */
import { Cause, Clock, Duration, Effect, FiberSet, Option, Random, type Scope, Semaphore, Stream } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import type { Api } from "../client/Api.js"
import type * as Resource from "../core/Resource.js"
import * as Backoff from "./Backoff.js"
import * as Scheduler from "./internal/scheduler.js"
import * as ObjectRef from "./ObjectRef.js"
import * as Store from "./Store.js"
import * as Watcher from "./Watcher.js"

/**
 * What to do after a reconcile.
 *
 * @category models
 */
export type Action = { readonly _tag: "Requeue"; readonly after: Duration.Duration } | { readonly _tag: "AwaitChange" }

/**
 * Reconcile again after `after` (or earlier, if a change arrives).
 *
 * @category actions
 */
export const requeue = (after: Duration.Input): Action => ({
  _tag: "Requeue",
  after: Duration.fromInputUnsafe(after)
})

/**
 * Reconcile again only when a trigger arrives.
 *
 * @category actions
 */
export const awaitChange: Action = { _tag: "AwaitChange" }

/**
 * A controller description: what it watches and what triggers it. Built
 * with `make` and the `owns`, `watches` and `reconcileAllOn` combinators;
 * started with `run` or `start`.
 *
 * @category models
 */
export interface Controller<K extends Resource.KubeObject> extends Pipeable {
  /** The controlled kind in its scope. */
  readonly api: Api<K>
  /** Settings of the controlled kind's watcher. */
  readonly watcherConfig: Watcher.Config
  /** Settings of the controlled kind's store. */
  readonly storeOptions: Store.Options<K>
  /** Streams of references to reconcile (from owned and watched objects). */
  readonly triggers: ReadonlyArray<Stream.Stream<ObjectRef.ObjectRef>>
  /** Streams whose every element reconciles every object. */
  readonly reconcileAllTriggers: ReadonlyArray<Stream.Stream<unknown>>
}

/**
 * Settings of the controlled kind's watcher and store.
 *
 * @category models
 */
export interface MakeOptions<K> {
  /** Settings of the watcher (selectors, initial list, timeouts, backoff). */
  readonly watcher?: Watcher.Config
  /** Settings of the store (a transform, indexes). */
  readonly store?: Store.Options<K>
}

/**
 * A controller of `api`'s kind in its scope.
 *
 * @category constructors
 */
export const make = <K extends Resource.KubeObject>(api: Api<K>, options: MakeOptions<K> = {}): Controller<K> =>
  describe({
    api,
    watcherConfig: options.watcher ?? {},
    storeOptions: options.store ?? {},
    triggers: [],
    reconcileAllTriggers: []
  })

const ControllerProto: Pipeable = {
  pipe() {
    // biome-ignore lint/complexity/noArguments: pipeArguments reads the call's arguments
    return pipeArguments(this, arguments)
  }
}

const describe = <K extends Resource.KubeObject>(fields: Omit<Controller<K>, "pipe">): Controller<K> =>
  Object.assign(Object.create(ControllerProto), fields)

const withTrigger = <K extends Resource.KubeObject>(
  self: Controller<K>,
  trigger: Stream.Stream<ObjectRef.ObjectRef>
): Controller<K> => describe({ ...self, triggers: [...self.triggers, trigger] })

const refsOf = <A>(
  events: Stream.Stream<Watcher.WatcherEvent<A>>,
  map: (object: A) => Iterable<ObjectRef.ObjectRef>
): Stream.Stream<ObjectRef.ObjectRef> =>
  events.pipe(
    Stream.map((event) => Watcher.touched(event).flatMap((object) => Array.from(map(object)))),
    Stream.flattenIterable
  )

/**
 * Reconciles the owner when an object of `child`'s kind whose
 * `ownerReferences` name an object of the controlled kind changes or is
 * deleted. Owned objects are watched metadata-only.
 *
 * @category combinators
 */
export const owns =
  <C extends Resource.KubeObject>(child: Api<C>, config?: Watcher.Config) =>
  <K extends Resource.KubeObject>(self: Controller<K>): Controller<K> => {
    const { apiVersion, kind, namespaced } = self.api.resource
    return withTrigger(
      self,
      refsOf(Watcher.metadataWatcher(child, config), (object) => {
        // An owner of a cluster-scoped kind has no namespace, whatever its child's.
        const namespace = namespaced ? object.metadata?.namespace : undefined
        return (object.metadata?.ownerReferences ?? [])
          .filter((owner) => owner.kind === kind && owner.apiVersion === apiVersion)
          .map((owner) => ObjectRef.make(owner.name, namespace))
      })
    )
  }

/**
 * Reconciles the objects `mapper` names when an object of `other`'s kind
 * changes or is deleted.
 *
 * @category combinators
 */
export const watches =
  <O extends Resource.KubeObject>(
    other: Api<O>,
    mapper: (object: O) => Iterable<ObjectRef.ObjectRef>,
    config?: Watcher.Config
  ) =>
  <K extends Resource.KubeObject>(self: Controller<K>): Controller<K> =>
    withTrigger(self, refsOf(Watcher.watcher(other, config), mapper))

/**
 * Reconciles every cached object on each element of `trigger` (a timer, a
 * configuration reload).
 *
 * @category combinators
 */
export const reconcileAllOn =
  (trigger: Stream.Stream<unknown>) =>
  <K extends Resource.KubeObject>(self: Controller<K>): Controller<K> =>
    describe({ ...self, reconcileAllTriggers: [...self.reconcileAllTriggers, trigger] })

/**
 * What a reconcile is told besides the object.
 *
 * @category models
 */
export interface Context<K> {
  /** The object being reconciled. */
  readonly ref: ObjectRef.ObjectRef
  /** The controlled kind's cache. */
  readonly store: Store.Store<K>
  /** How many reconciles of this object failed in a row before this one. */
  readonly failures: number
}

/**
 * What an error policy is told about a failure.
 *
 * @category models
 */
export interface Failure {
  /** The object whose reconcile failed. */
  readonly ref: ObjectRef.ObjectRef
  /** Consecutive failures of this object, this one included. */
  readonly failures: number
  /** The per-object exponential backoff for this failure; what the default policy requeues after. */
  readonly backoff: Duration.Duration
}

/**
 * How a controller runs.
 *
 * @category models
 */
export interface RunOptions<K, E, R> {
  /** Brings the world in line with one object; its `Action` says when to look again. */
  readonly reconcile: (object: K, context: Context<K>) => Effect.Effect<Action, E, R>
  /** Decides what follows a failed reconcile; by default `requeue(failure.backoff)`. */
  readonly errorPolicy?: (object: K, error: E, failure: Failure) => Action
  /** The most reconciles at once; default 16. */
  readonly concurrency?: number
  /** The per-object backoff after failures: `base` doubling up to `max`; default 1 s → 5 min, jitter 0.2. */
  readonly backoff?: { readonly base?: Duration.Input; readonly max?: Duration.Input; readonly jitter?: number }
  /** How long shutdown waits for running reconciles before interrupting them; default: as long as they take. */
  readonly shutdownTimeout?: Duration.Input
}

/**
 * A running controller.
 *
 * @category models
 */
export interface Handle<K> {
  /** The controlled kind's cache. */
  readonly store: Store.Store<K>
  /** Schedules every cached object for a reconcile now. */
  readonly reconcileAll: Effect.Effect<void>
  /** Schedules one object for a reconcile now. */
  readonly reconcile: (ref: ObjectRef.ObjectRef) => Effect.Effect<void>
}

const defaultConcurrency = 16

/**
 * Starts a controller in the current scope and returns its handle. Closing
 * the scope shuts it down gracefully.
 *
 * @category running
 */
export const start: {
  <K extends Resource.KubeObject, E, R>(
    options: RunOptions<K, E, R>
  ): (self: Controller<K>) => Effect.Effect<Handle<K>, never, R | Scope.Scope>
  <K extends Resource.KubeObject, E, R>(
    self: Controller<K>,
    options: RunOptions<K, E, R>
  ): Effect.Effect<Handle<K>, never, R | Scope.Scope>
} = dual(2, <K extends Resource.KubeObject, E, R>(self: Controller<K>, options: RunOptions<K, E, R>) =>
  startImpl(self, options)
)

const startImpl = <K extends Resource.KubeObject, E, R>(
  self: Controller<K>,
  options: RunOptions<K, E, R>
): Effect.Effect<Handle<K>, never, R | Scope.Scope> =>
  Effect.gen(function* () {
    const kind = self.api.resource.kind
    const policy: Backoff.Policy = {
      initial: options.backoff?.base ?? Duration.seconds(1),
      max: options.backoff?.max ?? Duration.minutes(5),
      factor: 2,
      jitter: options.backoff?.jitter ?? 0.2,
      resetAfter: Duration.infinity
    }
    const store = yield* Store.make(self.storeOptions)
    const scheduler = Scheduler.make()
    const permits = yield* Semaphore.make(options.concurrency ?? defaultConcurrency)
    const running = new Set<string>()
    /** Triggers that arrived while their object was being reconciled, with the earliest time asked. */
    const deferred = new Map<string, number>()
    const failures = new Map<string, number>()

    const scheduleAt = (key: string, at: number) => {
      if (running.has(key)) {
        const current = deferred.get(key)
        if (current === undefined || at < current) deferred.set(key, at)
      } else {
        scheduler.schedule(key, at)
      }
    }
    const scheduleNow = (ref: ObjectRef.ObjectRef) =>
      Effect.map(Clock.currentTimeMillis, (now) => scheduleAt(ObjectRef.key(ref), now))
    const reconcileAll = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      for (const object of yield* store.list) {
        const ref = ObjectRef.fromObject(object)
        if (ref !== undefined) scheduleAt(ObjectRef.key(ref), now)
      }
    })

    const defaultErrorPolicy = (_object: K, _error: E, failure: Failure): Action => requeue(failure.backoff)
    const errorPolicy = options.errorPolicy ?? defaultErrorPolicy

    /** One reconcile of `key`: read the store, run, decide when to run again. */
    const reconcileOne = (key: string): Effect.Effect<void, never, R> =>
      Effect.gen(function* () {
        const ref = ObjectRef.fromKey(key)
        const cached = yield* store.get(ref)
        if (Option.isNone(cached)) {
          failures.delete(key)
          return
        }
        const object = cached.value
        const previousFailures = failures.get(key) ?? 0
        const exit = yield* Effect.exit(
          options.reconcile(object, { ref, store, failures: previousFailures }).pipe(
            Effect.withSpan(`reconcile ${kind}`, {
              attributes: {
                "kube.kind": kind,
                "kube.group": self.api.resource.group,
                "kube.name": ref.name,
                ...(ref.namespace === undefined ? {} : { "k8s.namespace.name": ref.namespace }),
                "kube.reconcile.failures": previousFailures
              }
            })
          )
        )
        const now = yield* Clock.currentTimeMillis
        let action: Action
        if (exit._tag === "Success") {
          failures.delete(key)
          action = exit.value
        } else {
          const count = previousFailures + 1
          failures.set(key, count)
          const backoff = Backoff.delay(policy, count - 1, yield* Random.next)
          const error = Cause.findErrorOption(exit.cause)
          action = Option.isSome(error)
            ? errorPolicy(object, error.value, { ref, failures: count, backoff })
            : requeue(backoff)
          yield* Effect.logWarning(`reconcile ${kind} failed`, Cause.pretty(exit.cause)).pipe(
            Effect.annotateLogs({ object: key, failures: count, retryInMillis: Duration.toMillis(backoff) })
          )
        }
        // Still marked running: the requeue joins any trigger deferred meanwhile, and `finish` schedules it.
        if (action._tag === "Requeue") scheduleAt(key, now + Duration.toMillis(action.after))
      })

    /** Ends a run of `key`, whatever its outcome: only now may it be scheduled again. */
    const finish = (key: string) => {
      running.delete(key)
      const next = deferred.get(key)
      if (next !== undefined) {
        deferred.delete(key)
        scheduler.schedule(key, next)
      }
    }

    const reconciles = yield* FiberSet.make<void, never>()
    yield* Effect.addFinalizer(() => {
      const finished = FiberSet.awaitEmpty(reconciles)
      return options.shutdownTimeout === undefined
        ? finished
        : Effect.asVoid(Effect.timeoutOption(finished, options.shutdownTimeout))
    })

    const dispatch = Effect.gen(function* () {
      yield* store.waitUntilReady
      for (;;) {
        yield* Semaphore.take(permits, 1)
        const key = yield* scheduler.take
        running.add(key)
        yield* FiberSet.run(
          reconciles,
          reconcileOne(key).pipe(
            Effect.onExit(() => Effect.sync(() => finish(key)).pipe(Effect.andThen(Semaphore.release(permits, 1))))
          )
        )
      }
    })

    // Subscribe before the reflector starts, so the first list's changes are all seen.
    const changes = yield* store.subscribe
    const background: Array<Effect.Effect<void, never, R>> = [
      Stream.runDrain(Store.reflector(store, Watcher.watcher(self.api, self.watcherConfig))),
      Stream.runForEach(changes, (change) => {
        const ref = change._tag === "Applied" ? ObjectRef.fromObject(change.object) : undefined
        return ref === undefined ? Effect.void : scheduleNow(ref)
      }),
      ...self.triggers.map((trigger) => Stream.runForEach(trigger, scheduleNow)),
      ...self.reconcileAllTriggers.map((trigger) => Stream.runForEach(trigger, () => reconcileAll)),
      dispatch
    ]
    for (const effect of background) yield* Effect.forkScoped(effect)
    return { store, reconcileAll, reconcile: scheduleNow }
  })

/**
 * Runs a controller until interrupted; interruption shuts it down
 * gracefully (running reconciles finish).
 *
 * @category running
 */
export const run: {
  <K extends Resource.KubeObject, E, R>(
    options: RunOptions<K, E, R>
  ): (self: Controller<K>) => Effect.Effect<never, never, R>
  <K extends Resource.KubeObject, E, R>(
    self: Controller<K>,
    options: RunOptions<K, E, R>
  ): Effect.Effect<never, never, R>
} = dual(2, <K extends Resource.KubeObject, E, R>(self: Controller<K>, options: RunOptions<K, E, R>) =>
  Effect.scoped(Effect.andThen(startImpl(self, options), Effect.never))
)
