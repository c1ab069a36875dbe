/**
 * The resolved cluster configuration: where the API server is, how to trust
 * it, who we are, and which namespace is the default. Every source
 * (kubeconfig, in-cluster service account, explicit server + token) resolves
 * to this one shape, provided as the `ClusterConfig` service; the HTTP
 * transports and the `KubeClient` read it and nothing else.
 *
 * Credentials are behind effects, not values, so a rotated token file, an
 * expiring exec-plugin token or a renewed client certificate is picked up on
 * the next request. Every secret is `Redacted`: printing or serialising a
 * configuration never shows a token, password or key.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Redacted } from "effect"
import type { KubeConfigError } from "./KubeError.js"

/**
 * A client certificate and its private key, both PEM.
 *
 * @category models
 */
export interface ClientIdentity {
  readonly certificate: string
  readonly key: Redacted.Redacted<string>
}

/**
 * Acting as another user (`kubectl --as`): sent as `Impersonate-*` headers.
 *
 * @category models
 */
export interface Impersonation {
  readonly user: string
  readonly uid?: string
  readonly groups: ReadonlyArray<string>
  readonly extra: { readonly [key: string]: ReadonlyArray<string> }
}

/**
 * How requests authenticate. Each effect is evaluated per request and must be
 * cheap when nothing changed (implementations cache).
 *
 * @category models
 */
export interface Credentials {
  /** The `Authorization` header value (`Bearer …` or `Basic …`), if any. */
  readonly authorization: Effect.Effect<Option.Option<Redacted.Redacted<string>>, KubeConfigError>
  /** The TLS client identity, if any; an exec plugin may change it over time. */
  readonly clientIdentity: Effect.Effect<Option.Option<ClientIdentity>, KubeConfigError>
  /**
   * Called after the server answered 401 to a request sent with `rejected`
   * (the `Authorization` value, if any): drops cached credentials (an exec
   * plugin is re-run, a token file re-read) unless a concurrent request
   * already did for the same credential. Succeeds with `true` when newer
   * credentials are (or will be) available and one retry may succeed.
   */
  readonly refreshAfterUnauthorized: (
    rejected: Option.Option<Redacted.Redacted<string>>
  ) => Effect.Effect<boolean, KubeConfigError>
}

/**
 * Credentials that send nothing.
 *
 * @category credentials
 */
export const noCredentials: Credentials = {
  authorization: Effect.succeedNone,
  clientIdentity: Effect.succeedNone,
  refreshAfterUnauthorized: () => Effect.succeed(false)
}

/**
 * A fixed bearer token.
 *
 * @category credentials
 */
export const bearerToken = (token: Redacted.Redacted<string>): Credentials => {
  const header = Option.some(Redacted.make(`Bearer ${Redacted.value(token)}`))
  return {
    authorization: Effect.succeed(header),
    clientIdentity: Effect.succeedNone,
    refreshAfterUnauthorized: () => Effect.succeed(false)
  }
}

/**
 * Where a configuration came from.
 *
 * @category models
 */
export type Source = "kubeconfig" | "in-cluster" | "explicit" | "embedded"

/**
 * A resolved cluster configuration.
 *
 * @category models
 */
export interface ClusterConfiguration {
  /** The API server's base URL, without a trailing slash (`https://10.0.0.1:443`). */
  readonly server: string
  /** The default namespace for namespaced handles. */
  readonly namespace: string
  /** PEM certificates to trust instead of the system roots. */
  readonly certificateAuthority?: string
  /** Accept any server certificate (kubeconfig `insecure-skip-tls-verify`). */
  readonly insecureSkipTlsVerify: boolean
  /** The name to verify the server certificate against (SNI), when it differs from the URL's host. */
  readonly tlsServerName?: string
  /** An HTTP(S) proxy to reach the server through. */
  readonly proxyUrl?: string
  /** Who the requests act as, when impersonating. */
  readonly impersonation?: Impersonation
  /** How requests authenticate: an `Authorization` header (bearer or basic) and/or a client certificate. */
  readonly credentials: Credentials
  /** Where this configuration came from. */
  readonly source: Source
  /** For messages: the kubeconfig context, or `in-cluster`, or the server. */
  readonly description: string
}

/**
 * The cluster configuration service.
 *
 * @category services
 */
export class ClusterConfig extends Context.Service<ClusterConfig, ClusterConfiguration>()(
  "effect-kube/client/ClusterConfig"
) {}

/**
 * A configuration from an explicit server URL and optional bearer token, for
 * tests, scripts and serverless handlers configured by environment.
 *
 * @category constructors
 */
export const explicit = (options: {
  readonly server: string
  readonly token?: Redacted.Redacted<string>
  readonly namespace?: string
  readonly certificateAuthority?: string
  readonly insecureSkipTlsVerify?: boolean
  readonly tlsServerName?: string
}): ClusterConfiguration => ({
  server: options.server.replace(/\/+$/, ""),
  namespace: options.namespace ?? "default",
  insecureSkipTlsVerify: options.insecureSkipTlsVerify ?? false,
  ...(options.certificateAuthority === undefined ? {} : { certificateAuthority: options.certificateAuthority }),
  ...(options.tlsServerName === undefined ? {} : { tlsServerName: options.tlsServerName }),
  credentials: options.token === undefined ? noCredentials : bearerToken(options.token),
  source: "explicit",
  description: options.server
})

/**
 * Provides an explicit configuration.
 *
 * @category layers
 */
export const layerExplicit = (options: Parameters<typeof explicit>[0]): Layer.Layer<ClusterConfig> =>
  Layer.succeed(ClusterConfig, explicit(options))
