/**
 * A minimal in-process API server for one kind, for the runtime's unit
 * tests under `TestClock`: a `KubeClientService` that answers list and watch
 * (with resume from a resourceVersion) from an in-memory map, no sockets and
 * no timers. The loopback FakeKube serves the integration tests.
 */
import { Deferred, Effect, PubSub, Result, Stream } from "effect"
import { ConfigMap } from "../../../src/api/core/v1.js"
import * as Api from "../../../src/client/Api.js"
import * as ClusterConfig from "../../../src/client/ClusterConfig.js"
import type { KubeClientService } from "../../../src/client/KubeClient.js"
import { KubeApiError } from "../../../src/client/KubeError.js"
import * as Resource from "../../../src/core/Resource.js"

type Json = { readonly [key: string]: unknown }
interface Event {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"
  readonly object: Json
  readonly version: number
  readonly annotations?: Record<string, string>
}

export interface MemoryCluster {
  readonly api: Api.Api<ConfigMap>
  readonly put: (
    namespace: string,
    name: string,
    data?: Record<string, string>,
    metadata?: Record<string, unknown>
  ) => Effect.Effect<void>
  readonly remove: (namespace: string, name: string) => Effect.Effect<void>
  readonly listCalls: () => number
  /** The query of every watch request, in order. */
  readonly watchRequests: () => ReadonlyArray<Record<string, string>>
  /** Forgets history up to now: a watch from an older version fails with 410 Expired. */
  readonly compact: Effect.Effect<void>
  /** Ends every open watch as a server-side timeout would. */
  readonly endWatches: Effect.Effect<void>
  /** Fails every open watch with an ERROR event 410 Expired. */
  readonly expireWatches: Effect.Effect<void>
  /** Sends a bookmark at the current version to every open watch. */
  readonly bookmark: Effect.Effect<void>
}

export const makeMemoryCluster = Effect.gen(function* () {
  const objects = new Map<
    string,
    {
      readonly namespace: string
      readonly name: string
      readonly data: Json
      readonly metadata: Json
      readonly json: Json
    }
  >()
  const configMap = (namespace: string, name: string, data: Json, resourceVersion: number, metadata: Json): Json => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      ...metadata,
      namespace,
      name,
      resourceVersion: String(resourceVersion),
      uid: `uid-${namespace}/${name}`
    },
    data
  })
  const history: Array<Event> = []
  const events = yield* PubSub.unbounded<Event>()
  let version = 0
  let lists = 0
  let compactedAt = 0
  let watchEnd = yield* Deferred.make<void, KubeApiError>()
  const watches: Array<Record<string, string>> = []
  const bookmarkAt = (at: number, annotations: Record<string, string> = {}): Event => ({
    type: "BOOKMARK",
    object: {},
    version: at,
    annotations
  })
  const expired = new KubeApiError({
    method: "GET",
    url: "http://memory/api/v1/configmaps",
    status: { status: "Failure", reason: "Expired", code: 410, message: "too old resource version" },
    code: 410
  })

  const record = (type: Event["type"], object: Json) =>
    Effect.suspend(() => {
      const event = { type, object, version }
      history.push(event)
      return PubSub.publish(events, event)
    })

  const client: KubeClientService = {
    config: ClusterConfig.explicit({ server: "http://memory" }),
    request: (_request, call, decode) =>
      Effect.suspend(() => {
        if (call.verb !== "list") return Effect.die(new Error(`unsupported verb ${call.verb}`))
        lists += 1
        const items = [...objects.values()].map((entry) => entry.json)
        const decoded = decode({ metadata: { resourceVersion: String(version) }, items })
        return Result.isSuccess(decoded) ? Effect.succeed(decoded.success) : Effect.die(decoded.failure)
      }),
    watch: (request, _call, decode) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const query = Object.fromEntries(request.urlParams.params.map(([key, value]) => [key, String(value)]))
          watches.push(query)
          const from = Number(query.resourceVersion ?? "0")
          const end = watchEnd
          const subscription = yield* PubSub.subscribe(events)
          let past: Array<Event>
          if (query.sendInitialEvents === "true") {
            past = [...objects.values()].map((entry) => ({ type: "ADDED" as const, object: entry.json, version }))
            past.push(bookmarkAt(version, { "k8s.io/initial-events-end": "true" }))
          } else {
            if (from < compactedAt) return Stream.fail(expired)
            past = history.filter((event) => event.version > from)
          }
          const last = past.at(-1)?.version ?? from
          const live = Stream.fromSubscription(subscription).pipe(
            Stream.filter((event) => event.version > last || event.type === "BOOKMARK"),
            Stream.interruptWhen(Deferred.await(end))
          )
          return Stream.concat(Stream.fromIterable(past), live).pipe(
            Stream.map((event) => {
              if (event.type === "BOOKMARK") {
                const metadata = { resourceVersion: String(event.version), annotations: event.annotations ?? {} }
                return { type: "BOOKMARK" as const, object: { metadata } }
              }
              const decoded = decode(event.object)
              if (Result.isFailure(decoded)) throw decoded.failure
              return { type: event.type, object: decoded.success }
            })
          )
        })
      ),
    send: () => Effect.die(new Error("unsupported")),
    lines: () => Stream.die(new Error("unsupported"))
  }

  const put = (namespace: string, name: string, data: Record<string, string> = {}, metadata: Json = {}) =>
    Effect.suspend(() => {
      version += 1
      const key = `${namespace}/${name}`
      const exists = objects.has(key)
      const json = configMap(namespace, name, data, version, metadata)
      objects.set(key, { namespace, name, data, metadata, json })
      return record(exists ? "MODIFIED" : "ADDED", json)
    })

  const remove = (namespace: string, name: string) =>
    Effect.suspend(() => {
      const key = `${namespace}/${name}`
      const entry = objects.get(key)
      if (entry === undefined) return Effect.void
      objects.delete(key)
      version += 1
      return record("DELETED", configMap(namespace, name, entry.data, version, entry.metadata))
    })

  const api = Api.make(client, ConfigMap, Resource.allNamespaces)
  const compact = Effect.sync(() => {
    compactedAt = version
  })
  const stopWatches = (how: Effect.Effect<void, KubeApiError>) =>
    Effect.suspend(() => {
      const end = watchEnd
      return Deferred.make<void, KubeApiError>().pipe(
        Effect.tap((next) => Effect.sync(() => (watchEnd = next))),
        Effect.andThen(Deferred.complete(end, how))
      )
    })
  const endWatches = stopWatches(Effect.void)
  const expireWatches = stopWatches(Effect.fail(expired))
  const bookmark = Effect.suspend(() => PubSub.publish(events, bookmarkAt(version)))
  return {
    api,
    put,
    remove,
    listCalls: () => lists,
    watchRequests: () => watches,
    compact,
    endWatches,
    expireWatches,
    bookmark
  } satisfies MemoryCluster
})
