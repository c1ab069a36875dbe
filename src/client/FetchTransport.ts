/**
 * The fetch transport: an `HttpClient` on the platform's `fetch`, for
 * serverless and edge runtimes (Cloudflare Workers, Deno, Bun, Lambda).
 *
 * `fetch` has no portable TLS options, so this transport trusts the
 * platform's certificate roots and cannot present a client certificate, and
 * it cannot send a header twice (impersonating several groups). A
 * configuration that needs any of these fails to build with a
 * `KubeConfigError` (reason `Unsupported`) that names the Node transport,
 * rather than connecting with weaker settings than asked.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { ClusterConfig, type ClusterConfiguration } from "./ClusterConfig.js"
import { KubeConfigError } from "./KubeError.js"

const unsupported = (config: ClusterConfiguration, detail: string) =>
  new KubeConfigError({
    reason: "Unsupported",
    entry: config.description,
    detail: `${detail}; the fetch transport cannot do this, use the Node transport (NodeTransport.layer / Kube.layer)`
  })

/**
 * Checks that a configuration can be served by `fetch`.
 *
 * @category validation
 */
export const check = (config: ClusterConfiguration): Effect.Effect<void, KubeConfigError> =>
  Effect.gen(function* () {
    if (config.certificateAuthority !== undefined)
      return yield* Effect.fail(unsupported(config, "the cluster has a custom certificate authority"))
    if (config.insecureSkipTlsVerify)
      return yield* Effect.fail(unsupported(config, "the cluster is configured with insecure-skip-tls-verify"))
    if (config.proxyUrl !== undefined)
      return yield* Effect.fail(unsupported(config, "the cluster is reached through a proxy"))
    if (config.tlsServerName !== undefined)
      return yield* Effect.fail(unsupported(config, "the cluster's certificate is checked against a tls-server-name"))
    const impersonation = config.impersonation
    if (
      impersonation !== undefined &&
      (impersonation.groups.length > 1 || Object.values(impersonation.extra).some((values) => values.length > 1))
    )
      return yield* Effect.fail(unsupported(config, "impersonation sends a header more than once"))
    const identity = yield* config.credentials.clientIdentity
    if (Option.isSome(identity))
      return yield* Effect.fail(unsupported(config, "the user authenticates with a client certificate"))
  })

/**
 * The fetch transport for the current `ClusterConfig`; fails when the
 * configuration needs the Node transport.
 *
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient, KubeConfigError, ClusterConfig> = Layer.effect(
  HttpClient.HttpClient,
  Effect.gen(function* () {
    const config = yield* ClusterConfig
    yield* check(config)
    return yield* HttpClient.HttpClient
  })
).pipe(Layer.provide(FetchHttpClient.layer))
