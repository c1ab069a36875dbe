/**
 * Helpers for tests over FakeKube's loopback server: the project's client
 * configured from the served kubeconfig, and the API error a call fails with.
 */
import { Effect, Layer } from "effect"
import { ClusterConfig } from "../../src/client/ClusterConfig.js"
import * as KubeClient from "../../src/client/KubeClient.js"
import * as KubeConfigLoader from "../../src/client/KubeConfigLoader.js"
import type { KubeError } from "../../src/client/KubeError.js"
import * as NodeTransport from "../../src/client/NodeTransport.js"
import type { FakeKube } from "../../src/testing/index.js"

/** The project's own client over loopback HTTP(S), configured from the served kubeconfig. */
export const loopbackClient = (server: FakeKube.Server) =>
  KubeClient.layer().pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provideMerge(Layer.effect(ClusterConfig, KubeConfigLoader.fromKubeconfigText(server.kubeconfig)))
  )

/** The `KubeApiError` an effect fails with (any other outcome is a defect). */
export const apiError = <A, R>(effect: Effect.Effect<A, KubeError, R>) =>
  Effect.flatMap(Effect.flip(effect), (error) =>
    error._tag === "KubeApiError"
      ? Effect.succeed(error)
      : Effect.die(new Error(`expected a KubeApiError, got ${error._tag}`))
  )
