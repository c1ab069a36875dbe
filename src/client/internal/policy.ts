/**
 * When and how long to wait before retrying a request, and the client-side
 * rate limiter. Reads (GET) are retried on transport failures and on 429,
 * 502, 503 and 504; writes only on 429, which the server answers before it
 * processes anything, unless the caller opts in. The wait grows
 * exponentially with jitter and is never shorter than what the server asked
 * for (`Retry-After`, `retryAfterSeconds`), as client-go does.
 *
 * @internal
 */
import { Clock, Duration, Effect, Random, Semaphore } from "effect"
import type { KubeError } from "../KubeError.js"

/**
 * How a client retries.
 *
 * @category models
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retries. */
  readonly maxRetries: number
  /** The first backoff, doubled on each retry. */
  readonly initialDelay: Duration.Input
  /** The longest backoff (a server's own `Retry-After` may ask for longer). */
  readonly maxDelay: Duration.Input
  /** Retry writes on the same conditions as reads (only safe for idempotent writes). */
  readonly retryWrites: boolean
}

/** The default: 5 retries, 250 ms doubling up to 30 s, writes only on 429. */
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 5,
  initialDelay: Duration.millis(250),
  maxDelay: Duration.seconds(30),
  retryWrites: false
}

const retryableCodes = new Set([429, 502, 503, 504])

/** Whether a failed attempt may be retried under the policy. */
export const isRetryable = (error: KubeError, isRead: boolean, policy: RetryPolicy): boolean => {
  const anyVerb = isRead || policy.retryWrites
  switch (error._tag) {
    case "KubeNetworkError":
      // A TLS failure is a configuration problem; retrying cannot fix it.
      return anyVerb && error.reason !== "Tls"
    case "KubeApiError":
    case "KubeHttpError":
      return error.code === 429 || (anyVerb && retryableCodes.has(error.code))
    default:
      return false
  }
}

/** The delay the server asked for, if the error carries one. */
const serverDelay = (error: KubeError): Duration.Duration | undefined =>
  error._tag === "KubeApiError" ? error.retryAfter : undefined

/** The wait before retry number `retry` (0-based): jittered exponential, at least the server's delay. */
export const delayFor = (error: KubeError, retry: number, policy: RetryPolicy): Effect.Effect<Duration.Duration> =>
  Effect.map(Random.nextBetween(0.5, 1.5), (jitter) => {
    const exponential = Duration.toMillis(policy.initialDelay) * 2 ** retry
    const backoff = Math.min(Duration.toMillis(policy.maxDelay), exponential) * jitter
    const server = serverDelay(error)
    return Duration.millis(Math.max(backoff, server === undefined ? 0 : Duration.toMillis(server)))
  })

/**
 * A token bucket: `burst` requests at once, refilled at `qps` per second.
 *
 * @category models
 */
export interface RateLimit {
  readonly qps: number
  readonly burst: number
}

/** Makes a limiter whose `acquire` waits (on the Effect clock) for a token. */
export const makeRateLimiter = (limit: RateLimit): Effect.Effect<Effect.Effect<void>> =>
  Effect.map(Semaphore.make(1), (lock) => {
    let tokens = limit.burst
    let updated: number | undefined
    return Semaphore.withPermits(
      lock,
      1
    )(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        tokens = Math.min(limit.burst, tokens + ((now - (updated ?? now)) / 1000) * limit.qps)
        updated = now
        if (tokens < 1) {
          const wait = ((1 - tokens) / limit.qps) * 1000
          yield* Effect.sleep(Duration.millis(wait))
          tokens = 1
          updated = now + wait
        }
        tokens -= 1
      })
    )
  })
