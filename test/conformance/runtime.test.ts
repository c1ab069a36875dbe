/**
 * The runtime's helpers against the server: the finalizer helper's guarded
 * JSON patches, the Recorder's Events and series, and leader election on a
 * Lease, handing over by release between two candidates on the real clock.
 */
import { assert, layer } from "@effect/vitest"
import { Clock, Effect, Fiber, Option } from "effect"
import { Lease } from "../../src/api/coordination/v1.js"
import { ConfigMap } from "../../src/api/core/v1.js"
import { Event } from "../../src/api/events/v1.js"
import * as Patch from "../../src/core/Patch.js"
import * as Finalizer from "../../src/runtime/Finalizer.js"
import * as LeaderElection from "../../src/runtime/LeaderElection.js"
import * as Recorder from "../../src/runtime/Recorder.js"
import { conformanceLayer, eventually, inNamespace, TestNamespace, uniqueName } from "./support.js"

const finalizerName = "example.com/conformance"

const handler: Finalizer.Handler<ConfigMap, string, never, never> = {
  apply: () => Effect.succeed("applied"),
  cleanup: () => Effect.succeed("cleaned")
}

layer(conformanceLayer("runtime"), { excludeTestServices: true })("runtime", (it) => {
  it.effect(
    "the finalizer helper adds its finalizer only to the finalizers it read, and removes it after cleanup",
    () =>
      Effect.gen(function* () {
        const configMaps = yield* inNamespace(ConfigMap)
        const name = uniqueName("finalized")
        const created = yield* configMaps.create({ metadata: { name } })
        assert.isTrue(Option.isNone(yield* Finalizer.finalizer(configMaps, finalizerName, created, handler)))
        assert.deepStrictEqual((yield* configMaps.get(name)).metadata?.finalizers, [finalizerName])

        const raced = uniqueName("raced")
        const stale = yield* configMaps.create({ metadata: { name: raced } })
        yield* configMaps.patch(raced, Patch.merge({ metadata: { finalizers: ["example.com/other"] } }))
        const error = yield* Effect.flip(Finalizer.finalizer(configMaps, finalizerName, stale, handler))
        assert.strictEqual(error.reason._tag, "AddFinalizerFailed")
        assert.deepStrictEqual((yield* configMaps.get(raced)).metadata?.finalizers, ["example.com/other"])
        yield* configMaps.patch(raced, Patch.merge({ metadata: { finalizers: null } }))

        yield* configMaps.delete(name)
        const deleting = yield* configMaps.get(name)
        assert.deepStrictEqual(
          yield* Finalizer.finalizer(configMaps, finalizerName, deleting, handler),
          Option.some("cleaned")
        )
        assert.isTrue(Option.isNone(yield* configMaps.getOption(name)))
      })
  )

  it.effect("the Recorder creates an Event and folds a repeat into its series", () =>
    Effect.gen(function* () {
      const { name: namespace } = yield* TestNamespace
      const configMaps = yield* inNamespace(ConfigMap)
      const regarding = yield* configMaps.create({ metadata: { name: uniqueName("regarding") } })
      const recorder = yield* Recorder.make({
        reportingController: "example.com/conformance",
        reportingInstance: "conformance-0"
      })
      const event = {
        type: "Warning",
        reason: "SyncFailed",
        action: "Sync",
        note: "€".repeat(400),
        regarding: Recorder.reference(regarding, ConfigMap)
      } as const
      yield* recorder.emit(event)
      const repeated = yield* recorder.emit(event)
      assert.strictEqual(repeated.series?.count, 2)
      const events = yield* inNamespace(Event)
      const stored = (yield* events.list()).items.filter((item) => item.regarding?.uid === regarding.metadata?.uid)
      assert.strictEqual(stored.length, 1)
      assert.strictEqual(stored[0]?.series?.count, 2)
      assert.strictEqual(stored[0]?.metadata?.namespace, namespace)
      assert.strictEqual(stored[0]?.note, "€".repeat(341))
    })
  )

  it.effect("two candidates never lead at once, and a released Lease passes to the other", () =>
    Effect.gen(function* () {
      const { name: namespace } = yield* TestNamespace
      const leaseName = uniqueName("lock")
      const timings = { leaseDuration: "2 seconds", renewDeadline: "1500 millis", retryPeriod: "500 millis" } as const
      const terms: Array<{ readonly identity: string; readonly start: number; end: number | undefined }> = []
      const work = (identity: string) =>
        Effect.gen(function* () {
          const term = { identity, start: yield* Clock.currentTimeMillis, end: undefined as number | undefined }
          terms.push(term)
          return yield* Effect.never.pipe(
            Effect.onInterrupt(() =>
              Effect.map(Clock.currentTimeMillis, (end) => {
                term.end = end
              })
            )
          )
        })
      const a = yield* LeaderElection.make({ name: leaseName, namespace, identity: "a", ...timings })
      const b = yield* LeaderElection.make({ name: leaseName, namespace, identity: "b", ...timings })
      const fiberA = yield* Effect.forkChild(a.run(work("a")))
      const fiberB = yield* Effect.forkChild(b.run(work("b")))
      yield* eventually(
        "one candidate leads",
        Effect.sync(() => terms.length === 1)
      )
      yield* Effect.sleep("2 seconds")
      assert.strictEqual(terms.length, 1, "the follower waits while the leader renews")
      const first = terms[0]?.identity
      yield* Fiber.interrupt(first === "a" ? fiberA : fiberB)
      yield* eventually(
        "the other candidate leads",
        Effect.sync(() => terms.length === 2)
      )
      assert.notStrictEqual(terms[1]?.identity, first)
      assert.isTrue((terms[1]?.start ?? 0) >= (terms[0]?.end ?? Number.POSITIVE_INFINITY), "terms do not overlap")
      const leases = yield* inNamespace(Lease)
      const lease = yield* leases.get(leaseName)
      assert.strictEqual(lease.spec?.holderIdentity, terms[1]?.identity)
      assert.strictEqual(lease.spec?.leaseTransitions, 1)
      yield* Fiber.interruptAll([fiberA, fiberB])
    })
  )
})
