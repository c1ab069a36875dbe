/**
 * Client helpers every kind of integration test uses: the project's own
 * client configured from a kubeconfig text, and the `KubeApiError` a call is
 * expected to fail with.
 */
import { Effect, Layer } from "effect"
import { ClusterConfig } from "../../src/client/ClusterConfig.js"
import * as KubeClient from "../../src/client/KubeClient.js"
import * as KubeConfigLoader from "../../src/client/KubeConfigLoader.js"
import type { KubeApiError, KubeError } from "../../src/client/KubeError.js"
import * as NodeTransport from "../../src/client/NodeTransport.js"

/** A client (configuration, Node transport, `KubeClient`) for a kubeconfig text. */
export const kubeconfigClient = (kubeconfig: string) =>
  KubeClient.layer().pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provideMerge(Layer.effect(ClusterConfig, KubeConfigLoader.fromKubeconfigText(kubeconfig)))
  )

/** Runs `effect`, expecting it to fail with a `KubeApiError`, and returns that error (any other outcome is a defect). */
export const expectApiError = <A, R>(effect: Effect.Effect<A, KubeError, R>): Effect.Effect<KubeApiError, never, R> =>
  effect.pipe(
    Effect.matchEffect({
      onSuccess: (value) =>
        Effect.die(new Error(`expected a KubeApiError, the call succeeded with ${JSON.stringify(value)}`)),
      onFailure: (error) =>
        error._tag === "KubeApiError"
          ? Effect.succeed(error)
          : Effect.die(new Error(`expected a KubeApiError, got ${error._tag}: ${error.message}`))
    })
  )
