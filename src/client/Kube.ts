/**
 * `Kube.layer()`: everything a Node program needs to talk to a cluster in
 * one layer — the resolved configuration, the Node transport with its TLS
 * settings, and the `KubeClient`.
 *
 * Which configuration (`source`, default `"auto"`, or the
 * `EFFECT_KUBE_CONFIG_SOURCE` environment variable):
 * 1. an explicit kubeconfig (the `path` option or `KUBECONFIG`) wins;
 * 2. otherwise, in a pod (the `KUBERNETES_SERVICE_*` variables are set and the
 *    service-account token is mounted), the in-cluster configuration;
 * 3. otherwise `~/.kube/config`;
 * 4. otherwise a `KubeConfigError` with reason `NoConfiguration`.
 * `"kubeconfig"` or `"in-cluster"` force one source.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { ClusterConfig, type ClusterConfiguration } from "./ClusterConfig.js"
import * as InCluster from "./InCluster.js"
import * as KubeClient from "./KubeClient.js"
import * as KubeConfigLoader from "./KubeConfigLoader.js"
import { KubeConfigError } from "./KubeError.js"
import * as NodeTransport from "./NodeTransport.js"

/** Where the configuration comes from. @category models */
export type Source = "auto" | "kubeconfig" | "in-cluster"

/** Options of `Kube.layer`: where the configuration comes from, and the client's and transport's settings. @category models */
export interface Options extends KubeConfigLoader.LoadOptions, InCluster.InClusterOptions {
  /** Which configuration to use; default `EFFECT_KUBE_CONFIG_SOURCE`, else `"auto"`. */
  readonly source?: Source
  /** Settings of the `KubeClient` (retries, rate limit, ...). */
  readonly client?: KubeClient.Options
  /** Settings of the Node transport. */
  readonly transport?: NodeTransport.Options
}

const sourceOf = (options: Options): Effect.Effect<Exclude<Source, "auto">, KubeConfigError> => {
  const env = options.env ?? process.env
  const chosen = options.source ?? env.EFFECT_KUBE_CONFIG_SOURCE ?? "auto"
  if (chosen === "kubeconfig" || chosen === "in-cluster") return Effect.succeed(chosen)
  if (chosen !== "auto")
    return Effect.fail(
      new KubeConfigError({
        reason: "Invalid",
        entry: "EFFECT_KUBE_CONFIG_SOURCE",
        detail: `${JSON.stringify(chosen)} is not auto, kubeconfig or in-cluster`
      })
    )
  const explicitKubeconfig = options.path !== undefined || (env.KUBECONFIG ?? "") !== ""
  if (explicitKubeconfig) return Effect.succeed("kubeconfig")
  if (InCluster.isInCluster(options)) return Effect.succeed("in-cluster")
  return Effect.succeed("kubeconfig")
}

/**
 * Resolves the cluster configuration by the rule above.
 *
 * @category resolving
 */
export const clusterConfig = (options: Options = {}): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.flatMap(sourceOf(options), (source) =>
    source === "in-cluster" ? InCluster.inCluster(options) : KubeConfigLoader.fromKubeconfig(options)
  )

/**
 * The `ClusterConfig` service alone, resolved by the rule above.
 *
 * @category layers
 */
export const layerConfig = (options: Options = {}): Layer.Layer<ClusterConfig, KubeConfigError> =>
  Layer.effect(ClusterConfig, clusterConfig(options))

/**
 * Configuration, Node transport and client together.
 *
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<KubeClient.KubeClient | ClusterConfig, KubeConfigError> =>
  KubeClient.layer(options.client).pipe(
    Layer.provide(NodeTransport.layer(options.transport)),
    Layer.provideMerge(layerConfig(options))
  )
