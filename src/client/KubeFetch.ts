/**
 * Layers for fetch-only runtimes (Cloudflare Workers, Deno, Bun, serverless
 * functions): a `KubeClient` on the platform's `fetch`, configured by an
 * explicit server and token (a kubeconfig given as text is
 * `KubeFetchConfig`'s, kept apart so a handler that does not read one ships
 * no YAML parser). Nothing here touches a file system or spawns a process.
 *
 * What needs the Node transport (`Kube.layer`): a custom certificate
 * authority or `insecure-skip-tls-verify`, client certificates, proxies,
 * impersonating several groups, and credentials read from files or exec
 * plugins. Asking for any of these here fails with a `KubeConfigError`
 * (reason `Unsupported`) that says so.
 *
 * @since 0.1.0
 */
import { Layer, type Redacted } from "effect"
import { ClusterConfig, explicit } from "./ClusterConfig.js"
import * as FetchTransport from "./FetchTransport.js"
import * as KubeClient from "./KubeClient.js"
import type { KubeConfigError } from "./KubeError.js"

/** Options of `KubeFetch.layer`: an explicit server and bearer token. @category models */
export interface ExplicitOptions {
  /** The API server's URL (`https://…`). */
  readonly server: string
  /** The bearer token; without it requests are anonymous. */
  readonly token?: Redacted.Redacted<string>
  /** The default namespace; default `"default"`. */
  readonly namespace?: string
  /** Settings of the `KubeClient` (retries, rate limit, ...). */
  readonly client?: KubeClient.Options
}

/**
 * A client on the fetch transport for any `ClusterConfig` layer; the layers
 * below and `KubeFetchConfig.layer` are built on it.
 *
 * @category layers
 */
export const layerWith = <E>(
  config: Layer.Layer<ClusterConfig, E>,
  options?: KubeClient.Options
): Layer.Layer<KubeClient.KubeClient | ClusterConfig, E | KubeConfigError> =>
  KubeClient.layer(options).pipe(Layer.provide(FetchTransport.layer), Layer.provideMerge(config))

/**
 * A client for an explicit server and bearer token.
 *
 * @category layers
 */
export const layer = (options: ExplicitOptions): Layer.Layer<KubeClient.KubeClient | ClusterConfig, KubeConfigError> =>
  layerWith(
    Layer.succeed(
      ClusterConfig,
      explicit({
        server: options.server,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace })
      })
    ),
    options.client
  )
