import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Scheduler from "../../src/runtime/internal/scheduler.js"

describe("Scheduler", () => {
  it.effect("keeps one entry per key, at the earliest time asked for", () =>
    Effect.gen(function* () {
      const scheduler = Scheduler.make()
      scheduler.schedule("a", 10_000)
      scheduler.schedule("a", 5_000)
      scheduler.schedule("a", 8_000)
      assert.strictEqual(scheduler.size(), 1)
      assert.strictEqual(scheduler.scheduledAt("a"), 5_000)

      const taken = yield* Effect.forkChild(scheduler.take)
      yield* TestClock.adjust("4999 millis")
      assert.isUndefined(taken.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* Fiber.join(taken), "a")
      assert.strictEqual(scheduler.size(), 0)
    })
  )

  it.effect("hands out keys in time order and wakes early for an earlier key", () =>
    Effect.gen(function* () {
      const scheduler = Scheduler.make()
      scheduler.schedule("late", 60_000)
      const first = yield* Effect.forkChild(scheduler.take)
      yield* TestClock.adjust("1 second")
      scheduler.schedule("soon", 2_000)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(first), "soon")

      scheduler.schedule("now", 0)
      scheduler.schedule("also-now", 0)
      assert.strictEqual(yield* scheduler.take, "now")
      assert.strictEqual(yield* scheduler.take, "also-now")
      const last = yield* Effect.forkChild(scheduler.take)
      yield* TestClock.adjust("58 seconds")
      assert.strictEqual(yield* Fiber.join(last), "late")
    })
  )

  it.effect("waits while empty until a key is scheduled", () =>
    Effect.gen(function* () {
      const scheduler = Scheduler.make()
      const taken = yield* Effect.forkChild(scheduler.take)
      yield* TestClock.adjust("1 hour")
      assert.isUndefined(taken.pollUnsafe())
      scheduler.schedule("x", 0)
      assert.strictEqual(yield* Fiber.join(taken), "x")
    })
  )
})
