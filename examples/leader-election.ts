/**
 * Leader election on a Lease: of several replicas, one does the work.
 *
 * Without flags, two candidates (`alpha`, `beta`) run in this process against
 * an embedded API server and act out the two ways leadership changes hands:
 *
 * 1. `alpha` wins, works for a few seconds and finishes: its Lease is
 *    released, and `beta` takes over at its next try (about a second);
 * 2. `alpha` campaigns again as a standby; `beta` is then killed without
 *    releasing (as a crashed pod), and `alpha` takes over only once the Lease
 *    has expired (the lease duration, 4 s here, after it last saw a renewal).
 *
 *     npm run example examples/leader-election.ts
 *
 * With `--identity NAME`, one candidate runs against the cluster of your
 * kubeconfig (or in-cluster); start it in two terminals with different names
 * and stop the leader with Ctrl-C to watch the other take over:
 *
 *     npm run example examples/leader-election.ts -- --identity alice
 */
import { NodeRuntime } from "@effect/platform-node"
import { Clock, Effect, Fiber, Option, Schedule, Stream, SubscriptionRef } from "effect"
import { LeaderElection } from "effect-kube/runtime"
import * as Cluster from "./support/cluster.js"

const timings = { leaseDuration: "4 seconds", renewDeadline: "3 seconds", retryPeriod: "1 second" } as const
const lease = { name: "example-leader-election", namespace: "default" }

const startedAt = Date.now()
const say = (line: string) =>
  Effect.sync(() => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${line}`))

/** Prints each change of leader this candidate observes. */
const reportLeaders = (elector: LeaderElection.LeaderElector) =>
  SubscriptionRef.changes(elector.observations).pipe(
    Stream.map((observation) => Option.getOrElse(observation.leader, () => "nobody")),
    Stream.changes,
    Stream.runForEach((leader) => say(`${elector.identity} sees: ${leader} leads`))
  )

/** Work that runs until leadership ends. */
const work = (identity: string) =>
  Effect.gen(function* () {
    yield* say(`${identity} starts leading`)
    return yield* Effect.never
  }).pipe(Effect.onInterrupt(() => say(`${identity} stops leading`)))

/** Two candidates in one process, handing over by release and by expiry. */
const scripted = Effect.gen(function* () {
  const alpha = yield* LeaderElection.make({ ...lease, ...timings, identity: "alpha" })
  const beta = yield* LeaderElection.make({ ...lease, ...timings, identity: "beta", releaseOnCancel: false })
  yield* Effect.forkChild(reportLeaders(alpha))

  const alphaFirstTerm = yield* Effect.forkChild(
    alpha.run(
      Effect.gen(function* () {
        yield* say("alpha starts leading; it will finish its work in 3 s and release the Lease")
        yield* Effect.sleep("3 seconds")
      })
    )
  )
  yield* Effect.sleep("500 millis")
  const betaRun = yield* Effect.forkChild(beta.run(work("beta")))
  yield* Fiber.join(alphaFirstTerm)
  const releasedAt = yield* Clock.currentTimeMillis
  yield* say("alpha finished and released the Lease")
  yield* Effect.repeat(SubscriptionRef.get(beta.observations), {
    until: (observation) => observation.leading,
    schedule: Schedule.spaced("50 millis")
  })
  yield* say(`handover by release took ${(yield* Clock.currentTimeMillis) - releasedAt} ms`)

  const alphaStandby = yield* Effect.forkChild(alpha.run(work("alpha")))
  yield* Effect.sleep("2 seconds")
  yield* say("killing beta without releasing the Lease")
  yield* Fiber.interrupt(betaRun)
  const killedAt = yield* Clock.currentTimeMillis
  yield* Effect.repeat(SubscriptionRef.get(alpha.observations), {
    until: (observation) => observation.leading,
    schedule: Schedule.spaced("50 millis")
  })
  yield* say(`handover by expiry took ${(yield* Clock.currentTimeMillis) - killedAt} ms (lease duration 4 s)`)
  yield* Fiber.interrupt(alphaStandby)
})

/** One candidate against the configured cluster, until Ctrl-C. */
const single = (identity: string) =>
  Effect.gen(function* () {
    const elector = yield* LeaderElection.make({ ...lease, identity })
    yield* Effect.forkChild(reportLeaders(elector))
    yield* elector.run(work(identity))
  }).pipe(Effect.provide(Cluster.layer({ embedded: false })))

const identityFlag = process.argv.indexOf("--identity")
const identity = identityFlag === -1 ? undefined : process.argv[identityFlag + 1]

const main =
  identity === undefined ? scripted.pipe(Effect.provide(Cluster.layer({ embedded: true }))) : single(identity)

NodeRuntime.runMain(Effect.scoped(main))
