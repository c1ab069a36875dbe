/**
 * What every conformance test file uses: a client layer from a kubeconfig
 * text (the project's own loader and Node transport), a fresh namespace per
 * test file, and helpers to expect a typed API error or wait for a condition.
 */
import { Context, Effect, Layer, Schedule } from "effect"
import { Namespace } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import type * as Resource from "../../src/core/Resource.js"
import { kubeconfigClient } from "../support/client.js"
import { target } from "./target.js"

export { expectApiError, kubeconfigClient } from "../support/client.js"

/** The namespace a test file works in, created for it and deleted after it. */
export class TestNamespace extends Context.Service<TestNamespace, { readonly name: string }>()(
  "conformance/TestNamespace"
) {}

const randomSuffix = () => Math.random().toString(36).slice(2, 8)

/**
 * The admin client and a fresh namespace named `conformance-<prefix>-<random>`,
 * deleted when the test file is done.
 */
export const conformanceLayer = (prefix: string) =>
  Layer.effect(
    TestNamespace,
    Effect.gen(function* () {
      const namespaces = yield* Api.cluster(Namespace)
      const name = `conformance-${prefix}-${randomSuffix()}`
      yield* Effect.acquireRelease(namespaces.create({ metadata: { name } }), () =>
        Effect.ignore(namespaces.delete(name))
      )
      return { name }
    })
  ).pipe(Layer.provideMerge(kubeconfigClient(target.kubeconfigs.admin)))

/** A typed handle on a namespaced kind in the test file's namespace. */
export const inNamespace = <K extends Resource.KubeObject>(resource: Resource.Resource<K>) =>
  TestNamespace.use(({ name }) => Api.namespaced(resource, name))

/** Polls `check` every 100 ms until it returns true, for at most `attempts` tries. */
export const eventually = <E, R>(what: string, check: Effect.Effect<boolean, E, R>, attempts = 300) =>
  check.pipe(
    Effect.flatMap((done) => (done ? Effect.void : Effect.fail(new Error(`still waiting for ${what}`)))),
    Effect.retry({ schedule: Schedule.spaced("100 millis"), times: attempts }),
    Effect.orDie
  )

/** A unique object name for one test. */
export const uniqueName = (prefix: string) => `${prefix}-${randomSuffix()}`
