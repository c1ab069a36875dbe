/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with the semantics of
 * client-go's `tools/leaderelection`: of several replicas of a controller,
 * one runs the work and the others wait to take over.
 *
 * ```ts
 * yield* LeaderElection.run(
 *   { name: "mirror-controller", identity: podName },
 *   controller                     // interrupted when leadership is lost
 * )
 * ```
 *
 * - A candidate tries every `retryPeriod` (2 s, jittered by up to 1.2×). It
 *   takes the Lease when it does not exist, when it has no holder, when this
 *   candidate already holds it, or when it has expired: no change of the
 *   Lease has been seen for `leaseDurationSeconds`, measured on the
 *   candidate's own clock from the moment it last saw the Lease change (as
 *   client-go, never comparing the holder's `renewTime` with local time, so
 *   clock skew between machines does not matter).
 * - Writes replace the Lease read, with its `resourceVersion`: when another
 *   candidate wrote first, the server answers Conflict and this attempt
 *   fails. `leaseTransitions` counts changes of holder.
 * - The leader renews every `retryPeriod`; when a renewal has not succeeded
 *   within `renewDeadline` (10 s), or it sees another holder, it stops
 *   leading and interrupts the work. The renew deadline is shorter than the
 *   `leaseDuration` (15 s), so the old leader stops before anyone else may
 *   start.
 * - When the work ends, fails or is interrupted, the Lease is released (no
 *   holder, `leaseDurationSeconds: 1`, client-go's `ReleaseOnCancel`) so
 *   another candidate takes over at its next try; `releaseOnCancel: false`
 *   lets the Lease expire instead.
 *
 * Every attempt updates `observations`, a `SubscriptionRef` of who leads as
 * seen by this candidate. Time comes from the Effect `Clock`, so tests drive
 * elections with `TestClock`.
 *
 * @since 0.1.0
 */
import { Clock, Data, Duration, Effect, Option, Random, Semaphore, SubscriptionRef } from "effect"
import { Lease, type LeaseSpec } from "../api/coordination/v1.js"
import * as Api from "../client/Api.js"
import { KubeClient } from "../client/KubeClient.js"
import type { KubeError } from "../client/KubeError.js"
import * as Resource from "../core/Resource.js"
import * as Time from "../core/Time.js"

/**
 * Settings of a candidate.
 *
 * @category models
 */
export interface Config {
  /** The Lease's name, usually the controller's. */
  readonly name: string
  /** The Lease's namespace; default: the client's namespace. */
  readonly namespace?: string
  /** This candidate's unique identity (a pod name; add a random suffix when replicas may share a name). */
  readonly identity: string
  /** How long others wait after the Lease last changed before taking it; default 15 s, whole seconds. */
  readonly leaseDuration?: Duration.Input
  /** How long the leader keeps trying to renew before it stops leading; default 10 s. */
  readonly renewDeadline?: Duration.Input
  /** How often candidates try to acquire and the leader renews; default 2 s. */
  readonly retryPeriod?: Duration.Input
  /** Release the Lease when the work ends or is interrupted; default true. */
  readonly releaseOnCancel?: boolean
}

/**
 * What a candidate last saw of the election.
 *
 * @category models
 */
export interface Observation {
  /** This candidate. */
  readonly identity: string
  /** The holder of the Lease as last read; `None` when it has none or does not exist yet. */
  readonly leader: Option.Option<string>
  /** Whether this candidate is leading now (its work is running). */
  readonly leading: boolean
  /** `leaseTransitions` of the Lease as last read. */
  readonly leaseTransitions: number
  /** When this candidate last saw the Lease change, in epoch milliseconds of its own clock. */
  readonly observedAtMillis: number
}

/**
 * The jitter factor of retries (client-go's `JitterFactor`): a candidate waits
 * between `retryPeriod` and `retryPeriod × 2.2`.
 *
 * @category constants
 */
export const jitterFactor = 1.2

/**
 * A setting is out of range: the durations must satisfy `leaseDuration >
 * renewDeadline > retryPeriod × 1.2`, as client-go requires.
 *
 * @category errors
 */
export class LeaderElectionConfigError extends Data.TaggedError("LeaderElectionConfigError")<{
  readonly field: string
  readonly detail: string
}> {
  override get message(): string {
    return `invalid leader election config: ${this.field}: ${this.detail}`
  }
}

/**
 * The leader could not renew its Lease within `renewDeadline`, or saw another
 * holder; its work was interrupted.
 *
 * @category errors
 */
export class LeadershipLost extends Data.TaggedError("LeadershipLost")<{
  readonly identity: string
  /** `namespace/name` of the Lease. */
  readonly lease: string
}> {
  override get message(): string {
    return `${this.identity} lost leadership of lease ${this.lease}`
  }
}

/**
 * A candidate in one election.
 *
 * @category models
 */
export interface LeaderElector {
  readonly identity: string
  /** What this candidate sees; `SubscriptionRef.changes` streams every update. */
  readonly observations: SubscriptionRef.SubscriptionRef<Observation>
  /**
   * Campaigns until elected, then runs `whileLeader` while leading: it is
   * interrupted when leadership is lost (failing with `LeadershipLost`), and
   * the Lease is released when it ends or is interrupted. One `run` at a
   * time: a second waits for the first.
   */
  readonly run: <A, E, R>(whileLeader: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LeadershipLost, R>
}

interface Settings {
  readonly leaseDurationMillis: number
  readonly renewDeadlineMillis: number
  readonly retryPeriodMillis: number
}

const configError = (field: string, detail: string) => new LeaderElectionConfigError({ field, detail })

/**
 * Checks a config and fills in the defaults (client-go's validation rules).
 *
 * @category constructors
 */
export const validate = (config: Config): Effect.Effect<Settings, LeaderElectionConfigError> => {
  const millis = (input: Duration.Input | undefined, fallback: Duration.Duration) =>
    Duration.toMillis(input === undefined ? fallback : Duration.fromInputUnsafe(input))
  const leaseDurationMillis = millis(config.leaseDuration, Duration.seconds(15))
  const renewDeadlineMillis = millis(config.renewDeadline, Duration.seconds(10))
  const retryPeriodMillis = millis(config.retryPeriod, Duration.seconds(2))
  if (config.name === "") return Effect.fail(configError("name", "must not be empty"))
  if (config.identity === "") return Effect.fail(configError("identity", "must not be empty"))
  if (!(retryPeriodMillis > 0)) return Effect.fail(configError("retryPeriod", "must be greater than zero"))
  if (!(leaseDurationMillis >= 1000) || !Number.isFinite(leaseDurationMillis)) {
    return Effect.fail(configError("leaseDuration", "must be at least one second (the Lease counts whole seconds)"))
  }
  if (!(leaseDurationMillis > renewDeadlineMillis)) {
    return Effect.fail(configError("leaseDuration", "must be greater than renewDeadline"))
  }
  if (!(renewDeadlineMillis > jitterFactor * retryPeriodMillis)) {
    return Effect.fail(configError("renewDeadline", `must be greater than retryPeriod × ${jitterFactor}`))
  }
  return Effect.succeed({ leaseDurationMillis, renewDeadlineMillis, retryPeriodMillis })
}

/** The fields client-go's `LeaderElectionRecord` compares to decide whether the Lease changed. */
const recordKey = (spec: LeaseSpec | undefined): string =>
  JSON.stringify([
    spec?.holderIdentity ?? "",
    spec?.leaseDurationSeconds ?? 0,
    spec?.acquireTime ?? "",
    spec?.renewTime ?? "",
    spec?.leaseTransitions ?? 0,
    spec?.strategy ?? "",
    spec?.preferredHolder ?? ""
  ])

const holderOf = (spec: LeaseSpec | undefined): Option.Option<string> =>
  spec?.holderIdentity === undefined || spec.holderIdentity === "" ? Option.none() : Option.some(spec.holderIdentity)

/**
 * A candidate for the Lease `config.name`; fails when the config is invalid.
 *
 * @category constructors
 */
export const make = Effect.fnUntraced(function* (config: Config) {
  const settings = yield* validate(config)
  const client = yield* KubeClient
  const namespace = config.namespace ?? client.config.namespace
  const api = Api.make(client, Lease, Resource.namespace(namespace))
  const identity = config.identity
  const leaseName = `${namespace}/${config.name}`
  const leaseDurationSeconds = Math.floor(settings.leaseDurationMillis / 1000)
  const releaseOnCancel = config.releaseOnCancel ?? true

  // client-go's observedRecord / observedTime, plus the Lease last read or written (its resourceVersion).
  let observed: Option.Option<Lease> = Option.none()
  let observedKey = recordKey(undefined)
  let observedAtMillis = 0
  let leading = false

  const observations = yield* SubscriptionRef.make<Observation>({
    identity,
    leader: Option.none(),
    leading: false,
    leaseTransitions: 0,
    observedAtMillis: 0
  })
  const runLock = yield* Semaphore.make(1)

  const observedSpec = () => Option.getOrUndefined(observed)?.spec
  const report = Effect.suspend(() => {
    const spec = observedSpec()
    return SubscriptionRef.set(observations, {
      identity,
      leader: holderOf(spec),
      leading,
      leaseTransitions: spec?.leaseTransitions ?? 0,
      observedAtMillis
    })
  })

  const observe = (lease: Lease, nowMillis: number) => {
    observed = Option.some(lease)
    const key = recordKey(lease.spec)
    if (key !== observedKey) {
      observedKey = key
      observedAtMillis = nowMillis
    }
  }

  /** Losing a race (Conflict, AlreadyExists) is part of an election; anything else deserves a warning. */
  const logFailure = (what: string) => (error: KubeError) => {
    const lostRace = error._tag === "KubeApiError" && (error.isConflict || error.isAlreadyExists)
    return (lostRace ? Effect.logDebug : Effect.logWarning)(`leader election: ${what} failed`).pipe(
      Effect.annotateLogs({ lease: leaseName, identity, error: error.message }),
      Effect.as(false)
    )
  }

  /** One attempt to acquire or renew (client-go's `tryAcquireOrRenew`); true when this candidate now holds the Lease. */
  const tryAcquireOrRenew: Effect.Effect<boolean> = Effect.gen(function* () {
    const nowMillis = yield* Clock.currentTimeMillis
    const now = Time.microTimeFromMillis(nowMillis)
    const current = yield* api.getOption(config.name)
    if (Option.isNone(current)) {
      const created = yield* api.create({
        metadata: { name: config.name, namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 }
      })
      observe(created, nowMillis)
      return true
    }
    const lease = current.value
    observe(lease, nowMillis)
    const spec = lease.spec
    const holder = holderOf(spec)
    const heldByUs = Option.contains(holder, identity)
    const durationMillis = (spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000
    if (Option.isSome(holder) && !heldByUs && observedAtMillis + durationMillis > nowMillis) return false
    const transitions = spec?.leaseTransitions ?? 0
    const updated = yield* api.replace(config.name, {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: heldByUs ? (spec?.acquireTime ?? now) : now,
        renewTime: now,
        leaseTransitions: heldByUs ? transitions : transitions + 1
      }
    })
    observe(updated, nowMillis)
    return true
  }).pipe(
    Effect.catch(logFailure("acquire or renew")),
    Effect.tap(() => report)
  )

  const jitteredRetry = Effect.flatMap(Random.next, (random) =>
    Effect.sleep(Duration.millis(settings.retryPeriodMillis * (1 + random * jitterFactor)))
  )

  const acquire = Effect.gen(function* () {
    while (!(yield* tryAcquireOrRenew)) yield* jitteredRetry
  })

  const seesOtherHolder = () => {
    const holder = holderOf(observedSpec())
    return Option.isSome(holder) && holder.value !== identity
  }

  /** Retries every retryPeriod until renewed; gives up within renewDeadline or when another holder shows up. */
  const renewOnce = Effect.gen(function* () {
    while (true) {
      if (yield* tryAcquireOrRenew) return true
      if (seesOtherHolder()) return false
      yield* Effect.sleep(Duration.millis(settings.retryPeriodMillis))
    }
  }).pipe(
    Effect.timeoutOption(Duration.millis(settings.renewDeadlineMillis)),
    Effect.map((result) => Option.getOrElse(result, () => false))
  )

  const renewLoop = Effect.gen(function* () {
    while (true) {
      yield* Effect.sleep(Duration.millis(settings.retryPeriodMillis))
      if (!(yield* renewOnce)) return yield* new LeadershipLost({ identity, lease: leaseName })
    }
  })

  /** Gives the Lease up if this candidate holds it (client-go's `release`). */
  const release = Effect.gen(function* () {
    const lease = Option.getOrUndefined(observed)
    if (lease === undefined || !Option.contains(holderOf(lease.spec), identity)) return
    const nowMillis = yield* Clock.currentTimeMillis
    const now = Time.microTimeFromMillis(nowMillis)
    const { holderIdentity: _, ...rest } = lease.spec ?? {}
    const released = yield* api.replace(config.name, {
      ...lease,
      spec: { ...rest, leaseDurationSeconds: 1, acquireTime: now, renewTime: now }
    })
    observe(released, nowMillis)
  }).pipe(Effect.catch(logFailure("release")))

  const stopLeading = Effect.suspend(() => {
    leading = false
    return Effect.andThen(releaseOnCancel ? release : Effect.void, report)
  })

  const run = <A, E, R>(whileLeader: Effect.Effect<A, E, R>): Effect.Effect<A, E | LeadershipLost, R> =>
    runLock.withPermit(
      Effect.gen(function* () {
        yield* acquire
        leading = true
        yield* report
        yield* Effect.logInfo("leader election: started leading").pipe(
          Effect.annotateLogs({ lease: leaseName, identity })
        )
        return yield* Effect.raceFirst(whileLeader, renewLoop)
      }).pipe(Effect.ensuring(stopLeading))
    )

  const elector: LeaderElector = { identity, observations, run }
  return elector
})

/**
 * Campaigns for the Lease and runs `whileLeader` while leading (see
 * `LeaderElector.run`).
 *
 * @category combinators
 */
export const run = <A, E, R>(
  config: Config,
  whileLeader: Effect.Effect<A, E, R>
): Effect.Effect<A, E | LeadershipLost | LeaderElectionConfigError, R | KubeClient> =>
  Effect.flatMap(make(config), (elector) => elector.run(whileLeader))
