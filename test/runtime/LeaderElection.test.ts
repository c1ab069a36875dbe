import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, Stream, SubscriptionRef } from "effect"
import { TestClock } from "effect/testing"
import { Lease } from "../../src/api/coordination/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Time from "../../src/core/Time.js"
import * as LeaderElection from "../../src/runtime/LeaderElection.js"
import { FakeKube } from "../../src/testing/index.js"

/** One stretch of time during which a candidate's work ran. */
interface Term {
  readonly identity: string
  readonly start: number
  end: number | undefined
}

/** Work that runs until interrupted, recording its term. */
const recordTerms = () => {
  const terms: Array<Term> = []
  const whileLeader = (identity: string) =>
    Effect.gen(function* () {
      const term: Term = { identity, start: yield* Clock.currentTimeMillis, end: undefined }
      terms.push(term)
      return yield* Effect.never.pipe(
        Effect.onInterrupt(() =>
          Effect.map(Clock.currentTimeMillis, (end) => {
            term.end = end
          })
        )
      )
    })
  /** Asserts that no two terms overlap: each starts after the previous one ended. */
  const assertNoOverlap = () => {
    for (let index = 1; index < terms.length; index++) {
      const previous = terms[index - 1]
      const next = terms[index]
      assert.isDefined(previous?.end, `term of ${previous?.identity} still open when ${next?.identity} started`)
      assert.isTrue((next?.start ?? 0) >= (previous?.end ?? Number.POSITIVE_INFINITY), "terms overlap")
    }
  }
  return { terms, whileLeader, assertNoOverlap }
}

/** Lets the in-process server's promises settle between clock steps. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))

/** Moves the test clock forward in 100 ms steps so every sleeper wakes in order. */
const advance = (millis: number) =>
  Effect.gen(function* () {
    for (let elapsed = 0; elapsed < millis; elapsed += 100) {
      yield* TestClock.adjust("100 millis")
      yield* settle
      yield* settle
    }
  })

/** Advances until `condition` holds, at most `limitMillis`; returns the clock time it first held. */
const advanceUntil = (condition: () => boolean, limitMillis: number) =>
  Effect.gen(function* () {
    for (let elapsed = 0; elapsed < limitMillis && !condition(); elapsed += 100) {
      yield* TestClock.adjust("100 millis")
      yield* settle
      yield* settle
    }
    assert.isTrue(condition(), `condition not reached within ${limitMillis} ms`)
    return yield* Clock.currentTimeMillis
  })

const leaseOf = Effect.flatMap(Api.namespaced(Lease, "default"), (api) => api.get("controller"))

const config = (identity: string, overrides: Partial<LeaderElection.Config> = {}): LeaderElection.Config => ({
  name: "controller",
  namespace: "default",
  identity,
  ...overrides
})

const leaseDuration = 15_000
const retryPeriod = 2_000
const renewDeadline = 10_000
/** The longest wait between two tries of a candidate (retryPeriod jittered by up to 1.2×). */
const longestRetry = retryPeriod * (1 + LeaderElection.jitterFactor)
/** The clock moves in 100 ms steps, so a time `advanceUntil` reports is up to one step late. */
const step = 100

describe("LeaderElection", () => {
  it.effect("elects exactly one of two candidates, and hands over at once on release", () =>
    Effect.gen(function* () {
      const { terms, whileLeader, assertNoOverlap } = recordTerms()
      const a = yield* LeaderElection.make(config("a"))
      const b = yield* LeaderElection.make(config("b"))
      const fiberA = yield* Effect.forkChild(a.run(whileLeader("a")))
      const fiberB = yield* Effect.forkChild(b.run(whileLeader("b")))
      yield* advance(60_000)
      assert.strictEqual(terms.length, 1, "one leader for a whole minute")
      const first = terms[0]?.identity
      const [leaderFiber, leader, follower] = first === "a" ? [fiberA, a, b] : [fiberB, b, a]
      assert.isTrue((yield* SubscriptionRef.get(leader.observations)).leading)
      const seen = yield* SubscriptionRef.get(follower.observations)
      assert.deepStrictEqual(seen.leader, Option.some(leader.identity))
      assert.isFalse(seen.leading)

      const stoppedAt = yield* Clock.currentTimeMillis
      yield* Fiber.interrupt(leaderFiber)
      const released = yield* leaseOf
      assert.isUndefined(released.spec?.holderIdentity)
      assert.strictEqual(released.spec?.leaseDurationSeconds, 1)
      const takeover = yield* advanceUntil(() => terms.length === 2, leaseDuration)
      assert.isTrue(takeover - stoppedAt <= longestRetry + step, "takeover at the next try")
      assert.strictEqual(terms[1]?.identity, follower.identity)
      assertNoOverlap()
      const lease = yield* leaseOf
      assert.strictEqual(lease.spec?.holderIdentity, follower.identity)
      assert.strictEqual(lease.spec?.leaseTransitions, 1)
      yield* Fiber.interrupt(first === "a" ? fiberB : fiberA)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a killed leader that never releases is replaced once its lease expires, not before", () =>
    Effect.gen(function* () {
      const { terms, whileLeader, assertNoOverlap } = recordTerms()
      const a = yield* LeaderElection.make(config("a", { releaseOnCancel: false }))
      const b = yield* LeaderElection.make(config("b"))
      const fiberA = yield* Effect.forkChild(a.run(whileLeader("a")))
      yield* advance(1_000)
      const fiberB = yield* Effect.forkChild(b.run(whileLeader("b")))
      yield* advance(20_000)
      assert.deepStrictEqual(
        terms.map((term) => term.identity),
        ["a"]
      )
      yield* Fiber.interrupt(fiberA)
      const lastRenewal = Time.toDate((yield* leaseOf).spec?.renewTime ?? "").getTime()
      const takeover = yield* advanceUntil(() => terms.length === 2, 3 * leaseDuration)
      assert.isTrue(takeover >= lastRenewal + leaseDuration, "b waited a whole lease duration since the last renewal")
      // b last saw the Lease change at its first try after the last renewal, and takes over at its
      // first try a lease duration after that.
      assert.isTrue(
        takeover <= lastRenewal + longestRetry + leaseDuration + longestRetry + step,
        "b took over at its first try after expiry"
      )
      assertNoOverlap()
      assert.strictEqual((yield* leaseOf).spec?.leaseTransitions, 1)
      yield* Fiber.interrupt(fiberB)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a leader that cannot renew stops within renewDeadline, before anyone else may lead", () => {
    let denyLeaseUpdates = false
    return Effect.gen(function* () {
      const { terms, whileLeader } = recordTerms()
      const a = yield* LeaderElection.make(config("a"))
      const fiberA = yield* Effect.forkChild(a.run(whileLeader("a")))
      yield* advance(5_000)
      assert.strictEqual(terms.length, 1)
      denyLeaseUpdates = true
      const lastRenewal = Time.toDate((yield* leaseOf).spec?.renewTime ?? "").getTime()
      const stepDown = yield* advanceUntil(() => terms[0]?.end !== undefined, leaseDuration)
      // The next renewal starts a retry period after the last one and gives up after renewDeadline.
      assert.isTrue(stepDown - lastRenewal <= retryPeriod + renewDeadline + step, "stopped within the renew deadline")
      assert.isTrue(stepDown - lastRenewal < leaseDuration, "stopped before the lease could expire for others")
      const exit = yield* Fiber.await(fiberA)
      assert.isTrue(exit._tag === "Failure")
      assert.isFalse((yield* SubscriptionRef.get(a.observations)).leading)
    }).pipe(
      Effect.provide(
        FakeKube.layer({
          authorize: (request) => !(denyLeaseUpdates && request.resource === "leases" && request.verb === "update")
        })
      )
    )
  })

  it.effect("never has two leaders while candidates crash, release and rejoin", () =>
    Effect.gen(function* () {
      const { terms, whileLeader, assertNoOverlap } = recordTerms()
      const running = new Map<string, Fiber.Fiber<unknown, unknown>>()
      const join = (identity: string, releaseOnCancel: boolean) =>
        Effect.gen(function* () {
          const elector = yield* LeaderElection.make(config(identity, { releaseOnCancel }))
          running.set(identity, yield* Effect.forkChild(elector.run(whileLeader(identity))))
        })
      yield* join("c0", true)
      yield* join("c1", false)
      yield* join("c2", true)
      for (let round = 0; round < 6; round++) {
        // Long enough for a crashed leader's lease to expire and a successor to settle in.
        yield* advance(leaseDuration + 3 * retryPeriod)
        const open = terms.filter((term) => term.end === undefined)
        assert.strictEqual(open.length, 1, `round ${round}: exactly one leader`)
        const leader = open[0]?.identity ?? ""
        const fiber = running.get(leader)
        if (fiber !== undefined) yield* Fiber.interrupt(fiber)
        running.delete(leader)
        // The killed leader rejoins as a new candidate, which releases when killed on even rounds and crashes on odd ones.
        yield* join(`${leader}-${round}`, round % 2 === 0)
      }
      assert.isTrue(terms.length >= 6)
      assertNoOverlap()
      const lease = yield* leaseOf
      assert.strictEqual(lease.spec?.leaseTransitions, terms.length - 1)
      yield* Fiber.interruptAll(running.values())
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("streams what a candidate observes", () =>
    Effect.gen(function* () {
      const a = yield* LeaderElection.make(config("a"))
      const b = yield* LeaderElection.make(config("b"))
      const seenByB: Array<string> = []
      yield* Effect.forkChild(
        Stream.runForEach(
          Stream.changes(
            Stream.map(SubscriptionRef.changes(b.observations), (seen) => Option.getOrElse(seen.leader, () => "-"))
          ),
          (leader) => Effect.sync(() => seenByB.push(leader))
        )
      )
      const fiberA = yield* Effect.forkChild(a.run(Effect.never))
      yield* advance(500)
      const fiberB = yield* Effect.forkChild(b.run(Effect.never))
      yield* advance(5_000)
      yield* Fiber.interrupt(fiberA)
      yield* advance(5_000)
      assert.deepStrictEqual(seenByB, ["-", "a", "b"])
      yield* Fiber.interrupt(fiberB)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("returns the work's result and releases the lease when the work ends", () =>
    Effect.gen(function* () {
      const result = yield* LeaderElection.run(config("a"), Effect.succeed("done"))
      assert.strictEqual(result, "done")
      const lease = yield* leaseOf
      assert.isUndefined(lease.spec?.holderIdentity)
      assert.strictEqual(lease.spec?.leaseTransitions, 0)
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})
