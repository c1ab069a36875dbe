/**
 * FakeKube: an in-memory Kubernetes API server with the semantics of
 * kube-apiserver 1.35 — resourceVersions, validation, `Status` errors,
 * selectors, pagination, watches with bookmarks and 410s, JSON, merge and
 * strategic merge patches, server-side apply with managedFields, status
 * subresources, finalizers, namespace deletion and garbage collection,
 * CustomResourceDefinitions, authentication and authorization.
 *
 * Two ways in, one handler:
 * - `FakeKube.layer(options)` provides a `KubeClient` whose `HttpClient`
 *   hands requests to the handler in process (no sockets), plus the
 *   `FakeKube` service, for unit tests that swap one layer;
 * - `FakeKube.serve(options)` listens on 127.0.0.1 (HTTP or HTTPS) and gives
 *   a real kubeconfig, for anything that speaks HTTP.
 *
 * The `FakeKube` service gives tests direct access to the state: seed
 * objects, read what is stored, the current resourceVersion, and the
 * handler as a web `Request` → `Response` function. See docs/fakekube.md
 * for what differs from a real API server.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { Context, Duration, Effect, Layer, Option, Redacted, Schema, type Scope } from "effect"
import { HttpClient, HttpClientError, HttpClientResponse } from "effect/http"
import { stringify } from "yaml"
import { bearerToken, ClusterConfig, type ClusterConfiguration } from "../client/ClusterConfig.js"
import * as KubeClient from "../client/KubeClient.js"
import type * as Resource from "../core/Resource.js"
import * as Certificates from "./internal/certificates.js"
import {
  Server as ApiServer,
  type AuthorizationRequest as ServerAuthorizationRequest,
  type User
} from "./internal/server.js"
import { fromWebRequest, listen, toWebResponse } from "./internal/transport.js"

/**
 * The state of a FakeKube server, for tests.
 *
 * @category models
 */
export interface FakeKubeService {
  /** The latest resourceVersion (a string of an integer, as on the wire). */
  readonly resourceVersion: Effect.Effect<string>
  /** Stores objects of any served kind as given (creating their namespaces), filling in uid, resourceVersion and timestamps. */
  readonly seed: (objects: ReadonlyArray<unknown>) => Effect.Effect<void, FakeKubeError>
  /** The stored object, decoded by the descriptor's schema. */
  readonly get: <K extends Resource.KubeObject>(
    resource: Resource.Resource<K>,
    name: string,
    namespace?: string
  ) => Effect.Effect<Option.Option<K>, Schema.SchemaError>
  /** The stored objects of a kind, in key order, optionally of one namespace. */
  readonly list: <K extends Resource.KubeObject>(
    resource: Resource.Resource<K>,
    namespace?: string
  ) => Effect.Effect<ReadonlyArray<K>, Schema.SchemaError>
  /** How many watches are open (a closed client connection frees its watch). */
  readonly openWatches: Effect.Effect<number>
  /** The API server as a web handler, for fetch-style hosts. */
  readonly handle: (request: Request) => Promise<Response>
}

/**
 * A seed object FakeKube cannot store (unknown kind, missing name).
 *
 * @category errors
 */
export class FakeKubeError extends Schema.TaggedError<FakeKubeError>()("FakeKubeError", {
  message: Schema.String
}) {}

/**
 * Who may call, and what they may do: what `authorize` is asked.
 *
 * @category models
 */
export type AuthorizationRequest = ServerAuthorizationRequest

/**
 * FakeKube settings.
 *
 * @category models
 */
export interface Options {
  /** Seed objects of any kind; the namespaces default, kube-system, kube-public and kube-node-lease always exist. */
  readonly objects?: ReadonlyArray<unknown>
  /** How many past changes per resource a watch or paginated list can resume from; older is 410 Expired. Default 10 000. */
  readonly watchHistory?: number
  /** How often `allowWatchBookmarks` watches get a BOOKMARK. Default one minute. */
  readonly bookmarkInterval?: Duration.Input
  /** When given, only these tokens authenticate (else 401); the first is the one the kubeconfig and layer use. */
  readonly tokens?: ReadonlyArray<{
    readonly token: string
    readonly user: string
    readonly groups?: ReadonlyArray<string>
  }>
  /** `false` answers 403 Forbidden with the real message. Default: everything allowed. */
  readonly authorize?: (request: AuthorizationRequest) => boolean
}

/**
 * A running loopback server.
 *
 * @category models
 */
export interface Server {
  /** `http://127.0.0.1:PORT` or `https://…`. */
  readonly url: string
  /** An admin kubeconfig: server, CA data (TLS), token, namespace default. */
  readonly kubeconfig: string
  /** The admin bearer token (the kubeconfig's). */
  readonly token: Redacted.Redacted<string>
  /** The PEM of the serving CA, when TLS. */
  readonly certificateAuthority: Option.Option<string>
  /** The state of this server, as `FakeKube` gives it in a layer. */
  readonly fake: FakeKubeService
}

interface Built {
  readonly server: ApiServer
  readonly service: FakeKubeService
  readonly token: string
}

/** The server of a `FakeKube.layer`, shared by its client, configuration and service. */
class BuiltServer extends Context.Service<BuiltServer, Built>()("effect-kube/testing/FakeKube/BuiltServer") {}

const admin: User = { user: "admin", groups: ["system:masters", "system:authenticated"] }

/** `plainHttp`: requests without credentials act as the admin (clients send tokens only over HTTPS), unless `tokens` is set. */
const build = (options: Options, plainHttp = false): Effect.Effect<Built, FakeKubeError> =>
  Effect.try({
    try: () => {
      const tokens = new Map<string, User>()
      let token: string
      if (options.tokens !== undefined && options.tokens.length > 0) {
        for (const entry of options.tokens)
          tokens.set(entry.token, { user: entry.user, groups: [...(entry.groups ?? []), "system:authenticated"] })
        token = options.tokens[0]?.token ?? ""
      } else {
        token = randomBytes(24).toString("hex")
        tokens.set(token, admin)
      }
      const server = new ApiServer({
        objects: options.objects ?? [],
        watchHistory: options.watchHistory ?? 10_000,
        bookmarkIntervalMillis: Duration.toMillis(
          Duration.fromInputUnsafe(options.bookmarkInterval ?? Duration.minutes(1))
        ),
        tokens,
        authorize: options.authorize,
        anonymous: plainHttp && options.tokens === undefined ? admin : undefined
      })
      return { server, service: makeService(server), token }
    },
    catch: (error) => new FakeKubeError({ message: error instanceof Error ? error.message : String(error) })
  })

const makeService = (server: ApiServer): FakeKubeService => {
  const typeOf = (resource: Resource.ApiResource) => server.typeOf(resource.group, resource.version, resource.plural)
  return {
    resourceVersion: Effect.sync(() => String(server.store.resourceVersion)),
    seed: (objects) =>
      Effect.try({
        try: () => {
          for (const object of objects) server.seed(object)
        },
        catch: (error) => new FakeKubeError({ message: error instanceof Error ? error.message : String(error) })
      }),
    get: (resource, name, namespace) =>
      Effect.suspend(() => {
        const type = typeOf(resource)
        const stored = type === undefined ? undefined : server.get(type, namespace ?? "default", name)
        if (stored === undefined) return Effect.succeedNone
        return Effect.map(Schema.decodeUnknownEffect(resource.schema)(stored.value), Option.some)
      }),
    list: (resource, namespace) =>
      Effect.suspend(() => {
        const type = typeOf(resource)
        if (type === undefined) return Effect.succeed([])
        const collection = server.store.collection(type)
        const objects = collection.keysIn(type.namespaced ? namespace : undefined).flatMap((key) => {
          const object = collection.objects.get(key)
          return object === undefined ? [] : [object.value]
        })
        return Schema.decodeUnknownEffect(Schema.Array(resource.schema))(objects)
      }),
    openWatches: Effect.sync(() => server.openWatchCount()),
    handle: async (request) => toWebResponse(server.handle(await fromWebRequest(request)), request.signal)
  }
}

const kubeconfigOf = (url: string, token: string, certificateAuthority: string | undefined): string =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "fakekube",
        cluster: {
          server: url,
          ...(certificateAuthority === undefined
            ? {}
            : { "certificate-authority-data": Buffer.from(certificateAuthority).toString("base64") })
        }
      }
    ],
    users: [{ name: "fakekube-admin", user: { token } }],
    contexts: [{ name: "fakekube", context: { cluster: "fakekube", user: "fakekube-admin", namespace: "default" } }],
    "current-context": "fakekube"
  })

/** The in-process `HttpClient`: each request goes straight to the handler. */
const inProcessClient = (server: ApiServer): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.try({
      try: () => {
        const body = request.body
        const text =
          body._tag === "Uint8Array"
            ? new TextDecoder().decode(body.body)
            : body._tag === "Raw" && typeof body.body === "string"
              ? body.body
              : ""
        const contentType = request.headers["content-type"] ?? ("contentType" in body ? body.contentType : undefined)
        const response = server.handle({
          method: request.method,
          path: url.pathname,
          query: url.searchParams,
          header: (name) => (name === "content-type" ? contentType : request.headers[name]),
          body: text
        })
        return HttpClientResponse.fromWeb(request, toWebResponse(response, signal))
      },
      catch: (cause) =>
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.TransportError({ request, cause, description: "FakeKube handler failed" })
        })
    })
  )

/**
 * The FakeKube service: the state behind `FakeKube.layer` or a served FakeKube.
 *
 * @category services
 */
export class FakeKube extends Context.Service<FakeKube, FakeKubeService>()("effect-kube/testing/FakeKube") {
  /**
   * A real loopback HTTP(S) server on 127.0.0.1, closed with its scope.
   * `tls: true` serves HTTPS with a fresh CA (made with `openssl`).
   */
  static readonly serve = (
    options: Options & { readonly port?: number; readonly tls?: boolean } = {}
  ): Effect.Effect<Server, FakeKubeError, Scope.Scope> =>
    Effect.gen(function* () {
      const built = yield* build(options, options.tls !== true)
      const certificates =
        options.tls === true
          ? yield* Effect.try({
              try: () => Certificates.generate(),
              catch: (error) =>
                new FakeKubeError({
                  message: `cannot make TLS certificates with openssl: ${error instanceof Error ? error.message : String(error)}`
                })
            })
          : undefined
      const listening = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            listen(
              built.server,
              options.port ?? 0,
              certificates === undefined ? undefined : { key: certificates.key, cert: certificates.certificate }
            ),
          catch: (error) => new FakeKubeError({ message: `cannot listen: ${String(error)}` })
        }),
        (listening) =>
          Effect.promise(() => {
            built.server.close()
            return listening.close()
          })
      )
      return {
        url: listening.url,
        kubeconfig: kubeconfigOf(listening.url, built.token, certificates?.certificateAuthority),
        token: Redacted.make(built.token),
        certificateAuthority: Option.fromUndefinedOr(certificates?.certificateAuthority),
        fake: built.service
      }
    })

  /**
   * A `KubeClient` served in process by FakeKube, its `ClusterConfig`
   * (source `"embedded"`, namespace `default`) and the `FakeKube` service: it
   * provides what `Kube.layer` provides, so it swaps in for it in tests.
   */
  static readonly layer = (
    options: Options = {},
    client?: KubeClient.Options
  ): Layer.Layer<KubeClient.KubeClient | ClusterConfig | FakeKube> => {
    const state = Layer.effect(
      BuiltServer,
      Effect.acquireRelease(Effect.orDie(build(options)), (built) => Effect.sync(() => built.server.close()))
    )
    const fake = Layer.effect(
      FakeKube,
      Effect.map(BuiltServer, (built) => built.service)
    )
    const config = Layer.effect(
      ClusterConfig,
      Effect.map(
        BuiltServer,
        (built): ClusterConfiguration => ({
          server: "http://fakekube.invalid",
          namespace: "default",
          insecureSkipTlsVerify: false,
          credentials: bearerToken(Redacted.make(built.token)),
          source: "embedded",
          description: "FakeKube (in process)"
        })
      )
    )
    const http = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(BuiltServer, (built) => inProcessClient(built.server))
    )
    const kubeClient = KubeClient.layer(client).pipe(Layer.provide(http), Layer.provideMerge(config))
    return Layer.mergeAll(kubeClient, fake).pipe(Layer.provide(state))
  }
}

/**
 * The types of `FakeKube.serve` and `FakeKube.layer`, under the service's name.
 *
 * @category models
 */
export declare namespace FakeKube {
  export type Options = import("./FakeKube.js").Options
  export type Server = import("./FakeKube.js").Server
  export type Service = FakeKubeService
}
