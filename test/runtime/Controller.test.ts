import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import { ConfigMap, Namespace } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Controller from "../../src/runtime/Controller.js"
import { FakeKube } from "../../src/testing/index.js"
import { makeMemoryCluster } from "./support/memoryCluster.js"

/** Lets forked fibers run to their next wait. */
const settle = Effect.gen(function* () {
  for (let round = 0; round < 20; round++) yield* Effect.yieldNow
})

const nameOf = (object: { readonly metadata?: { readonly name?: string } }) => object.metadata?.name ?? ""

describe("Controller", () => {
  it.effect("backs off a failing object exponentially while other objects keep their requeue schedule", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("default", "broken")
      yield* cluster.put("default", "healthy")
      const attempts: Record<string, Array<number>> = { broken: [], healthy: [] }
      yield* Controller.make(cluster.api).pipe(
        Controller.start({
          backoff: { base: "1 second", max: "1 minute", jitter: 0 },
          reconcile: (object) =>
            Effect.gen(function* () {
              const name = nameOf(object)
              attempts[name]?.push(yield* Clock.currentTimeMillis)
              if (name === "broken") return yield* Effect.fail("boom")
              return Controller.requeue("1 second")
            })
        })
      )
      yield* settle
      for (let second = 0; second < 16; second++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      const gaps = (times: ReadonlyArray<number>) => times.slice(1).map((time, index) => time - (times[index] ?? 0))
      assert.deepStrictEqual(gaps(attempts.broken ?? []), [1000, 2000, 4000, 8000])
      assert.strictEqual(attempts.healthy?.length, 17)
      assert.isTrue(gaps(attempts.healthy ?? []).every((gap) => gap === 1000))
    })
  )

  it.effect("a success resets the backoff; the error policy sees the failure count", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("default", "flaky")
      let calls = 0
      const seen: Array<number> = []
      yield* Controller.make(cluster.api).pipe(
        Controller.start({
          backoff: { base: "1 second", jitter: 0 },
          errorPolicy: (_object, _error, failure) => {
            seen.push(failure.failures)
            return Controller.requeue(failure.backoff)
          },
          reconcile: () => {
            calls += 1
            // Fails twice, succeeds once, then fails again.
            return calls === 3 ? Effect.succeed(Controller.requeue("10 seconds")) : Effect.fail("boom")
          }
        })
      )
      yield* settle
      for (let second = 0; second < 14; second++) {
        yield* TestClock.adjust("1 second")
        yield* settle
      }
      assert.deepStrictEqual(seen, [1, 2, 1, 2])
    })
  )

  it.effect("never runs two reconciles of one object at once; a change during a reconcile runs it again after", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("default", "busy", { step: "0" })
      let active = 0
      let overlaps = 0
      const versions: Array<string> = []
      yield* Controller.make(cluster.api).pipe(
        Controller.start({
          reconcile: (object) =>
            Effect.gen(function* () {
              active += 1
              if (active > 1) overlaps += 1
              versions.push(object.data?.step ?? "")
              yield* Effect.sleep("5 seconds")
              active -= 1
              return Controller.awaitChange
            })
        })
      )
      yield* settle
      assert.deepStrictEqual(versions, ["0"])
      yield* cluster.put("default", "busy", { step: "1" })
      yield* settle
      yield* cluster.put("default", "busy", { step: "2" })
      yield* settle
      assert.deepStrictEqual(versions, ["0"], "no second reconcile while the first runs")
      yield* TestClock.adjust("5 seconds")
      yield* settle
      assert.deepStrictEqual(versions, ["0", "2"], "one more reconcile, with the latest object")
      yield* TestClock.adjust("5 seconds")
      yield* settle
      assert.strictEqual(overlaps, 0)
      assert.deepStrictEqual(versions, ["0", "2"])
    })
  )

  it.effect("respects the concurrency limit across objects", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      for (let index = 0; index < 6; index++) yield* cluster.put("default", `object-${index}`)
      let active = 0
      let peak = 0
      let done = 0
      yield* Controller.make(cluster.api).pipe(
        Controller.start({
          concurrency: 2,
          reconcile: () =>
            Effect.gen(function* () {
              active += 1
              peak = Math.max(peak, active)
              yield* Effect.sleep("1 second")
              active -= 1
              done += 1
              return Controller.awaitChange
            })
        })
      )
      for (let second = 0; second < 4; second++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      yield* settle
      assert.strictEqual(done, 6)
      assert.strictEqual(peak, 2)
    })
  )

  it.effect("shutdown lets running reconciles finish and starts no new ones", () =>
    Effect.gen(function* () {
      const cluster = yield* makeMemoryCluster
      yield* cluster.put("default", "slow")
      const scope = yield* Scope.make()
      const events: Array<string> = []
      const handle = yield* Controller.make(cluster.api).pipe(
        Controller.start({
          reconcile: (object) =>
            Effect.gen(function* () {
              events.push(`start ${object.data?.step ?? "0"}`)
              yield* Effect.sleep("10 seconds")
              events.push("finish")
              return Controller.requeue("1 second")
            })
        }),
        Scope.provide(scope)
      )
      yield* settle
      assert.deepStrictEqual(events, ["start 0"])
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* settle
      assert.isUndefined(closing.pollUnsafe(), "shutdown waits for the running reconcile")
      yield* cluster.put("default", "slow", { step: "1" })
      yield* handle.reconcileAll
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(closing)
      yield* TestClock.adjust("1 minute")
      yield* settle
      assert.deepStrictEqual(events, ["start 0", "finish"])
    })
  )

  it.effect("owned objects and mapped objects trigger their owner's reconcile", () =>
    Effect.gen(function* () {
      const owners = yield* makeMemoryCluster
      const others = yield* makeMemoryCluster
      yield* owners.put("default", "target")
      const reconciled: Array<string> = []
      yield* Controller.make(owners.api).pipe(
        Controller.watches(others.api, (object) => [{ namespace: "default", name: object.data?.owner ?? "" }]),
        Controller.start({
          reconcile: (object) => {
            reconciled.push(nameOf(object))
            return Effect.succeed(Controller.awaitChange)
          }
        })
      )
      yield* settle
      assert.deepStrictEqual(reconciled, ["target"])
      yield* others.put("default", "pointer", { owner: "target" })
      yield* settle
      assert.deepStrictEqual(reconciled, ["target", "target"])
      // A mapper naming an object that does not exist triggers nothing.
      yield* others.put("default", "dangling", { owner: "missing" })
      yield* settle
      assert.deepStrictEqual(reconciled, ["target", "target"])
    })
  )

  it.effect("a change to an owned object reconciles its owner, matched by kind and apiVersion", () =>
    Effect.gen(function* () {
      const owners = yield* makeMemoryCluster
      const children = yield* makeMemoryCluster
      yield* owners.put("default", "parent")
      const reconciled: Array<string> = []
      yield* Controller.make(owners.api).pipe(
        Controller.owns(children.api),
        Controller.start({
          reconcile: (object) => {
            reconciled.push(nameOf(object))
            return Effect.succeed(Controller.awaitChange)
          }
        })
      )
      yield* settle
      assert.deepStrictEqual(reconciled, ["parent"])
      const ownedBy = (kind: string) => ({
        ownerReferences: [{ apiVersion: "v1", kind, name: "parent", uid: "uid-default/parent" }]
      })
      yield* children.put("default", "child", {}, ownedBy("ConfigMap"))
      yield* settle
      assert.deepStrictEqual(reconciled, ["parent", "parent"])
      yield* children.remove("default", "child")
      yield* settle
      assert.deepStrictEqual(reconciled, ["parent", "parent", "parent"], "deleting the child triggers too")
      yield* children.put("default", "stranger", {}, ownedBy("Secret"))
      yield* settle
      assert.strictEqual(reconciled.length, 3, "an owner of another kind is not this controller's")
    })
  )

  it.live("an owner of a cluster-scoped kind is reconciled when a namespaced object it owns changes", () =>
    Effect.gen(function* () {
      const namespaces = yield* Api.cluster(Namespace)
      const team = yield* namespaces.create({ metadata: { name: "team" } })
      const reconciled: Array<string> = []
      yield* Controller.make(namespaces).pipe(
        Controller.owns(yield* Api.all(ConfigMap)),
        Controller.start({
          reconcile: (object) => {
            reconciled.push(nameOf(object))
            return Effect.succeed(Controller.awaitChange)
          }
        })
      )
      const reconciledTeam = () => reconciled.filter((name) => name === "team").length
      const waitFor = (count: number) =>
        Effect.gen(function* () {
          for (let attempt = 0; attempt < 200 && reconciledTeam() < count; attempt++) yield* Effect.sleep("10 millis")
          assert.strictEqual(reconciledTeam(), count)
        })
      yield* waitFor(1)
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create({
        metadata: {
          name: "owned",
          ownerReferences: [{ apiVersion: "v1", kind: "Namespace", name: "team", uid: team.metadata?.uid ?? "" }]
        }
      })
      yield* waitFor(2)
    }).pipe(Effect.scoped, Effect.provide(FakeKube.layer()))
  )
})
