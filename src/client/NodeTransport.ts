/**
 * The Node transport: an `HttpClient` on undici that speaks to the API
 * server the way the cluster configuration says — its CA (instead of the
 * system roots), the client certificate and key, `insecure-skip-tls-verify`,
 * `tls-server-name`, and a proxy.
 *
 * It keeps one keep-alive connection pool per client, so sequential calls
 * reuse one connection (@kubernetes/client-node opens a new one, with a new
 * TLS handshake, per call). When the credentials hand out a different client
 * certificate (an exec plugin renewed it), the next request goes through a
 * fresh pool with the new identity; the old pool closes once its requests
 * (a running watch, say) are done.
 *
 * @since 0.1.0
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpClient } from "effect/http"
import type * as Undici from "undici"
import { type ClientIdentity, ClusterConfig, type ClusterConfiguration } from "./ClusterConfig.js"
import * as RepeatedHeaders from "./internal/repeatedHeaders.js"
import type { KubeConfigError } from "./KubeError.js"

/**
 * Transport settings.
 *
 * @category models
 */
export interface Options {
  /** How long to wait for a TCP + TLS connection; default 10 s. */
  readonly connectTimeout?: number
  /** How long an idle connection is kept for reuse; default 30 s. */
  readonly keepAliveTimeout?: number
}

type Headers = NonNullable<Undici.Dispatcher.DispatchOptions["headers"]>

/** Expands the repeated-headers marker into real repeated headers. */
const expandRepeated = (headers: Headers): Headers => {
  if (Array.isArray(headers) || Symbol.iterator in headers) return headers
  const marker = headers[RepeatedHeaders.markerHeader]
  if (typeof marker !== "string") return headers
  const flat: Array<string> = []
  for (const [name, value] of Object.entries(headers)) {
    if (name === RepeatedHeaders.markerHeader || value === undefined) continue
    for (const one of Array.isArray(value) ? value : [String(value)]) flat.push(name, one)
  }
  for (const [name, value] of RepeatedHeaders.decode(marker)) flat.push(name, value)
  return flat
}

const identityKey = (identity: Option.Option<ClientIdentity>): string =>
  Option.match(identity, { onNone: () => "", onSome: (value) => value.certificate })

/**
 * Makes the `HttpClient` for a configuration. The pools are closed when the
 * layer's scope closes.
 *
 * @category constructors
 */
export const make = (config: ClusterConfiguration, options: Options = {}) =>
  Effect.gen(function* () {
    const undici = yield* Effect.promise(() => import("undici"))
    const pools = new Set<Undici.Dispatcher>()
    const newPool = (identity: Option.Option<ClientIdentity>): Undici.Dispatcher => {
      const tls = {
        ...(config.certificateAuthority === undefined ? {} : { ca: config.certificateAuthority }),
        ...(config.tlsServerName === undefined ? {} : { servername: config.tlsServerName }),
        rejectUnauthorized: !config.insecureSkipTlsVerify,
        ...Option.match(identity, {
          onNone: () => ({}),
          onSome: (value) => ({ cert: value.certificate, key: Redacted.value(value.key) })
        })
      }
      const timeout = options.connectTimeout ?? 10_000
      const keepAliveTimeout = options.keepAliveTimeout ?? 30_000
      const pool =
        config.proxyUrl === undefined
          ? new undici.Agent({ connect: { ...tls, timeout }, keepAliveTimeout })
          : new undici.ProxyAgent({ uri: config.proxyUrl, requestTls: { ...tls, timeout }, keepAliveTimeout })
      pools.add(pool)
      return pool
    }

    let currentKey = identityKey(Option.none())
    let current = newPool(Option.none())

    /** Delegates to the pool of the current identity, expanding repeated headers. */
    class KubeDispatcher extends undici.Dispatcher {
      override dispatch(
        dispatch: Undici.Dispatcher.DispatchOptions,
        handler: Undici.Dispatcher.DispatchHandler
      ): boolean {
        const headers = dispatch.headers
        return current.dispatch(
          headers === undefined || headers === null ? dispatch : { ...dispatch, headers: expandRepeated(headers) },
          handler
        )
      }
    }

    yield* Effect.addFinalizer(() =>
      Effect.promise(() => Promise.allSettled([...pools].map((pool) => pool.destroy()))).pipe(Effect.asVoid)
    )

    /** Switches to a pool for the credentials' current client certificate, if it changed. */
    const useCurrentIdentity: Effect.Effect<void, KubeConfigError> = Effect.map(
      config.credentials.clientIdentity,
      (identity) => {
        const key = identityKey(identity)
        if (key === currentKey) return
        const previous = current
        current = newPool(identity)
        currentKey = key
        pools.delete(previous)
        // Graceful: requests already running on the old identity (a watch) finish first.
        void previous.close().catch(() => undefined)
      }
    )
    // The first identity is resolved now, so a static certificate never swaps pools.
    yield* useCurrentIdentity.pipe(Effect.orElseSucceed(() => undefined))

    const client = yield* NodeHttpClient.makeUndici.pipe(
      Effect.provideService(NodeHttpClient.Dispatcher, new KubeDispatcher())
    )
    return { client, useCurrentIdentity }
  })

/**
 * The Node transport for the current `ClusterConfig`.
 *
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<HttpClient.HttpClient, never, ClusterConfig> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function* () {
      const config = yield* ClusterConfig
      const { client, useCurrentIdentity } = yield* make(config, options)
      // A failure to resolve the identity surfaces from the credentials' own
      // effects on the request path (the KubeClient reads them per attempt).
      // The yield lets undici return the previous response's socket to the
      // pool (it does so a tick after the body ends); without it, a call made
      // right after another opens a second connection.
      const beforeRequest = Effect.andThen(
        Effect.yieldNow,
        Effect.orElseSucceed(useCurrentIdentity, () => undefined)
      )
      return HttpClient.mapRequestEffect(client, (request) => Effect.as(beforeRequest, request))
    })
  )
