/**
 * How the examples find a cluster: the one kubectl would use (an explicit
 * kubeconfig, the in-cluster configuration, `~/.kube/config`), or FakeKube
 * served on loopback when there is none or `--embedded` is given, so every
 * example runs on a fresh machine.
 */
import { Console, Effect, Layer } from "effect"
import { ClusterConfig, InCluster, Kube, KubeClient, KubeConfigLoader, NodeTransport } from "effect-kube"

import { FakeKube } from "effect-kube/testing"

/** Where an example runs. */
export interface Target {
  /** `embedded`: FakeKube on loopback, started for this run; `cluster`: a configured cluster. */
  readonly kind: "embedded" | "cluster"
  /** The server's URL, for the reader. */
  readonly server: string
}

/** Whether the command line asks for the embedded server. */
export const embeddedRequested = (argv: ReadonlyArray<string> = process.argv): boolean => argv.includes("--embedded")

/** Whether a configured cluster exists: a kubeconfig file kubectl would read, or the in-cluster environment. */
export const clusterConfigured = (): boolean => KubeConfigLoader.exists() || InCluster.isInCluster()

/**
 * The client for the chosen target, with a `Target` describing it; FakeKube
 * is stopped when the layer's scope closes.
 */
export const layer = (
  options: { readonly embedded?: boolean } = {}
): Layer.Layer<KubeClient.KubeClient | ClusterConfig.ClusterConfig, unknown> => {
  const embedded = options.embedded ?? (embeddedRequested() || !clusterConfigured())
  if (!embedded) return Kube.layer()
  return Layer.unwrap(
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const fromKubeconfig = yield* KubeConfigLoader.fromKubeconfigText(server.kubeconfig)
      const configuration = { ...fromKubeconfig, source: "embedded" as const, description: "FakeKube on loopback" }
      return KubeClient.layer().pipe(
        Layer.provide(NodeTransport.layer()),
        Layer.provideMerge(Layer.succeed(ClusterConfig.ClusterConfig, configuration))
      )
    })
  )
}

/** Which target the current client talks to, printed for the reader. */
export const describe: Effect.Effect<Target, never, ClusterConfig.ClusterConfig> = Effect.gen(function* () {
  const configuration = yield* ClusterConfig.ClusterConfig
  const server = configuration.server
  const kind = configuration.source === "embedded" ? "embedded" : "cluster"
  yield* Console.log(
    kind === "embedded"
      ? `No cluster configured (or --embedded): using FakeKube, the in-memory API server, at ${server}`
      : `Using the cluster at ${server} (${configuration.description})`
  )
  return { kind, server }
})
