/**
 * Backoff: how long the runtime waits after a failure. One policy shape
 * serves the watcher (between failed list/watch attempts) and the controller
 * (between failed reconciles of one object): the wait starts at `initial`,
 * grows by `factor` per consecutive failure up to `max`, and is spread by
 * `jitter` so that many clients do not retry in lock-step. The defaults are
 * client-go's and kube-rs's reflector backoff: 800 ms doubling up to 30 s,
 * forgotten after 120 s without a failure.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Random } from "effect"

/**
 * A backoff policy.
 *
 * @category models
 */
export interface Policy {
  /** The wait after the first failure. */
  readonly initial: Duration.Input
  /** The longest wait. */
  readonly max: Duration.Input
  /** The growth per consecutive failure (2 doubles the wait). */
  readonly factor: number
  /**
   * The spread of each wait, from 0 (none) to 1: a wait `d` becomes a random
   * value in `[d × (1 − jitter), d]`, so the cap is never exceeded.
   */
  readonly jitter: number
  /** After this long without a failure, the next failure waits `initial` again. */
  readonly resetAfter: Duration.Input
}

/**
 * The default policy: 800 ms → 30 s, factor 2, jitter 0.5, reset after 120 s.
 *
 * @category constants
 */
export const defaultPolicy: Policy = {
  initial: Duration.millis(800),
  max: Duration.seconds(30),
  factor: 2,
  jitter: 0.5,
  resetAfter: Duration.minutes(2)
}

/**
 * The wait before retry number `attempt` (0 for the first failure) under a
 * policy, given a random number in `[0, 1)`. Pure: the caller supplies the
 * randomness.
 *
 * @category calculations
 */
export const delay = (policy: Policy, attempt: number, random: number): Duration.Duration => {
  const max = Duration.toMillis(policy.max)
  const grown = Math.min(max, Duration.toMillis(policy.initial) * policy.factor ** attempt)
  return Duration.millis(grown * (1 - policy.jitter * random))
}

/**
 * A stateful backoff for one failing thing (a watch): `next` records a
 * failure and returns how long to wait; a failure more than `resetAfter`
 * after the previous one starts again from `initial`.
 *
 * @category models
 */
export interface Backoff {
  readonly next: Effect.Effect<Duration.Duration>
}

/**
 * Makes a backoff following `policy`; failures further apart than
 * `resetAfter` start again from `initial`.
 *
 * @category constructors
 */
export const make = (policy: Policy = defaultPolicy): Backoff => {
  let failures = 0
  let lastFailure = Number.NEGATIVE_INFINITY
  const resetAfter = Duration.toMillis(policy.resetAfter)
  return {
    next: Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (now - lastFailure > resetAfter) failures = 0
      lastFailure = now
      const random = yield* Random.next
      const wait = delay(policy, failures, random)
      failures += 1
      return wait
    })
  }
}
