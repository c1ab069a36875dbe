import { setTimeout as sleep } from "node:timers/promises"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Redacted, Stream, Tracer } from "effect"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as ClusterConfig from "../../src/client/ClusterConfig.js"
import * as FetchTransport from "../../src/client/FetchTransport.js"
import * as KubeClient from "../../src/client/KubeClient.js"
import * as NodeTransport from "../../src/client/NodeTransport.js"
import * as Patch from "../../src/core/Patch.js"
import * as Resource from "../../src/core/Resource.js"
import { makeCertificates } from "../support/certificates.js"
import { json, startServer, status, type TestServer } from "../support/server.js"

const token = "s3cr3t-t0ken-value"

const clientLayer = (
  server: string,
  options: KubeClient.Options = {},
  config: Partial<ClusterConfig.ClusterConfiguration> = {}
) =>
  KubeClient.layer(options).pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provide(
      Layer.succeed(ClusterConfig.ClusterConfig, {
        ...ClusterConfig.explicit({ server, token: Redacted.make(token) }),
        ...config
      })
    )
  )

const withServer = <A, E>(
  handler: Parameters<typeof startServer>[0],
  body: (server: TestServer) => Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startServer(handler)),
    body,
    (server) => Effect.promise(() => server.close())
  )

const configMap = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", resourceVersion: "1" },
  data
})

const configMaps = KubeClient.KubeClient.use((client) =>
  Effect.succeed(Api.make(client, ConfigMap, Resource.namespace("default")))
)

describe("error channels", () => {
  it.live("a Status body is a KubeApiError with reason, code, method and URL", () =>
    withServer(
      (_, response) =>
        json(
          response,
          404,
          status(404, "NotFound", 'configmaps "nope" not found', { name: "nope", kind: "configmaps" })
        ),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const error = yield* Effect.flip(api.get("nope"))
          assert.strictEqual(error._tag, "KubeApiError")
          if (error._tag !== "KubeApiError") return
          assert.isTrue(error.isNotFound)
          assert.strictEqual(error.code, 404)
          assert.strictEqual(error.method, "GET")
          assert.strictEqual(error.url, `${server.url}/api/v1/namespaces/default/configmaps/nope`)
          assert.strictEqual(error.status.details?.name, "nope")
          assert.notInclude(error.message, token)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("a body that is not a Status is a KubeHttpError with an excerpt", () =>
    withServer(
      (_, response) => {
        response.writeHead(502, { "content-type": "text/html" })
        response.end("<html><body>Bad Gateway from the proxy</body></html>")
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const error = yield* Effect.flip(api.get("x", undefined, { retry: { maxRetries: 0 } }))
          assert.strictEqual(error._tag, "KubeHttpError")
          if (error._tag !== "KubeHttpError") return
          assert.strictEqual(error.code, 502)
          assert.strictEqual(error.contentType, "text/html")
          assert.include(error.bodyExcerpt, "Bad Gateway from the proxy")
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("a refused connection is a KubeNetworkError", () =>
    Effect.gen(function* () {
      const server = yield* Effect.promise(() => startServer(() => undefined))
      yield* Effect.promise(() => server.close())
      const api = yield* configMaps
      const error = yield* Effect.flip(api.get("x", undefined, { retry: { maxRetries: 0 } }))
      assert.strictEqual(error._tag, "KubeNetworkError")
      if (error._tag === "KubeNetworkError") assert.strictEqual(error.reason, "ConnectionRefused")
    }).pipe(Effect.provide(clientLayer("http://127.0.0.1:1")))
  )

  it.live("a body that is not JSON, or does not match the schema, is a KubeDecodeError naming the field", () =>
    withServer(
      (request, response) => {
        if (!request.url.includes("broken")) {
          return json(response, 200, {
            kind: "ConfigMapList",
            metadata: {},
            items: [configMap("a"), { metadata: { name: 7 } }]
          })
        }
        response.writeHead(200, { "content-type": "application/json" })
        response.end("{not json")
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const notJson = yield* Effect.flip(api.get("broken"))
          assert.strictEqual(notJson._tag, "KubeDecodeError")
          if (notJson._tag === "KubeDecodeError") assert.strictEqual(notJson.reason, "NotJson")
          const mismatch = yield* Effect.flip(api.list())
          assert.strictEqual(mismatch._tag, "KubeDecodeError")
          if (mismatch._tag === "KubeDecodeError") {
            assert.strictEqual(mismatch.reason, "SchemaMismatch")
            assert.strictEqual(mismatch.path, "items[1].metadata.name")
          }
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("an invalid request fails before anything is sent", () =>
    withServer(
      (_, response) => json(response, 200, {}),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const error = yield* Effect.flip(api.get(""))
          assert.strictEqual(error._tag, "KubeRequestError")
          assert.strictEqual(server.received.length, 0)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )
})

describe("retries", () => {
  it.live("a 429 with Retry-After is retried after the delay and then succeeds", () => {
    let calls = 0
    return withServer(
      (_, response) => {
        calls++
        calls === 1
          ? json(response, 429, status(429, "TooManyRequests", "slow down"), { "retry-after": "1" })
          : json(response, 200, configMap("a"))
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const started = Date.now()
          const object = yield* api.get("a")
          assert.strictEqual(object.metadata?.name, "a")
          assert.strictEqual(calls, 2)
          assert.isAtLeast(Date.now() - started, 900, "Retry-After: 1 is honoured")
        }).pipe(Effect.provide(clientLayer(server.url, { retry: { initialDelay: "1 millis" } })))
    )
  })

  it.live("reads are retried on 503, writes are not; a write is retried on 429", () => {
    let calls = 0
    return withServer(
      (request, response) => {
        calls++
        if (request.method === "POST" && request.headers["x-test"] === undefined && calls <= 1) {
          return json(response, 503, status(503, "ServiceUnavailable", "busy"))
        }
        return json(
          response,
          calls % 2 === 1 ? 503 : 200,
          calls % 2 === 1 ? status(503, "ServiceUnavailable", "busy") : configMap("a")
        )
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const created = yield* Effect.flip(api.create(configMap("a")))
          assert.strictEqual(created._tag, "KubeApiError")
          assert.strictEqual(
            server.received.filter((request) => request.method === "POST").length,
            1,
            "a POST is not retried on 503"
          )
          calls = 0
          const read = yield* api.get("a")
          assert.strictEqual(read.metadata?.name, "a")
          assert.strictEqual(
            server.received.filter((request) => request.method === "GET").length,
            2,
            "a GET is retried on 503"
          )
        }).pipe(Effect.provide(clientLayer(server.url, { retry: { initialDelay: "1 millis" } })))
    )
  })

  it.live("a POST is retried on 429, which the server answers before processing it", () => {
    let posts = 0
    return withServer(
      (_, response) => {
        posts++
        posts === 1 ? json(response, 429, status(429, "TooManyRequests", "slow")) : json(response, 201, configMap("a"))
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          yield* api.create(configMap("a"))
          assert.strictEqual(posts, 2)
        }).pipe(Effect.provide(clientLayer(server.url, { retry: { initialDelay: "1 millis" } })))
    )
  })

  it.live("a 401 refreshes the credentials once and retries with the new token", () => {
    let generation = 0
    const credentials: ClusterConfig.Credentials = {
      authorization: Effect.sync(() => Option.some(Redacted.make(`Bearer token-${generation}`))),
      clientIdentity: Effect.succeedNone,
      refreshAfterUnauthorized: () =>
        Effect.sync(() => {
          generation++
          return true
        })
    }
    return withServer(
      (request, response) =>
        request.headers.authorization === "Bearer token-1"
          ? json(response, 200, configMap("a"))
          : json(response, 401, status(401, "Unauthorized", "Unauthorized")),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          yield* api.get("a")
          assert.deepStrictEqual(
            server.received.map((request) => request.headers.authorization),
            ["Bearer token-0", "Bearer token-1"]
          )
        }).pipe(Effect.provide(clientLayer(server.url, {}, { credentials })))
    )
  })
})

const watchLines = [
  JSON.stringify({ type: "ADDED", object: configMap("é-café", { greeting: "héllo 👋 wörld" }) }),
  JSON.stringify({ type: "MODIFIED", object: configMap("b", { k: "ü".repeat(50) }) }),
  JSON.stringify({
    type: "BOOKMARK",
    object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: "42" } }
  }),
  JSON.stringify({ type: "DELETED", object: configMap("b") })
]

describe("watch", () => {
  it.live("decodes events however the body is split, even inside a multi-byte character", () => {
    const body = Buffer.from(`${watchLines.join("\n")}\n`, "utf8")
    let splitAt = 1
    return withServer(
      async (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        // Two awkward cuts per response: splitAt and a second one further on.
        const cuts = [splitAt, Math.min(body.length, splitAt + 37)]
        let previous = 0
        for (const cut of cuts) {
          response.write(body.subarray(previous, cut))
          previous = cut
          await sleep(1)
        }
        response.end(body.subarray(previous))
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const emojiStart = body.indexOf(Buffer.from("👋"))
          const positions = [
            1,
            emojiStart + 1,
            emojiStart + 2,
            emojiStart + 3,
            body.indexOf(Buffer.from("ü")) + 1,
            200,
            body.length - 1
          ]
          for (const position of positions) {
            splitAt = position
            const events = yield* Stream.runCollect(api.watch())
            assert.deepStrictEqual(
              events.map((event) => event.type),
              ["ADDED", "MODIFIED", "BOOKMARK", "DELETED"],
              `split at ${position}`
            )
            const added = events[0]
            assert.strictEqual(added?.type === "ADDED" ? added.object.data?.greeting : undefined, "héllo 👋 wörld")
            const bookmark = events[2]
            assert.strictEqual(bookmark?.type === "BOOKMARK" ? bookmark.object.metadata.resourceVersion : "", "42")
          }
          assert.include(server.received[0]?.url ?? "", "watch=true")
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  })

  it.live("an ERROR event fails the stream with KubeApiError (410 Expired)", () =>
    withServer(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write(`${watchLines[0]}\n`)
        response.end(
          `${JSON.stringify({ type: "ERROR", object: status(410, "Expired", "too old resource version: 1 (50)") })}\n`
        )
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const seen: Array<string> = []
          const error = yield* Effect.flip(
            api
              .watch({ resourceVersion: "1" })
              .pipe(Stream.runForEach((event) => Effect.sync(() => seen.push(event.type))))
          )
          assert.deepStrictEqual(seen, ["ADDED"])
          assert.strictEqual(error._tag, "KubeApiError")
          if (error._tag === "KubeApiError") {
            assert.isTrue(error.isGone)
            assert.strictEqual(error.code, 410)
          }
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("a bad line fails the stream after every event before it, even in the same chunk", () =>
    withServer(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        // One write: the good lines, the bad one and a line after it arrive together.
        response.end(`${watchLines[0]}\n${watchLines[1]}\nnot json\n${watchLines[3]}\n`)
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const seen: Array<string> = []
          const error = yield* Effect.flip(
            api.watch().pipe(Stream.runForEach((event) => Effect.sync(() => seen.push(event.type))))
          )
          assert.deepStrictEqual(seen, ["ADDED", "MODIFIED"])
          assert.strictEqual(error._tag === "KubeDecodeError" ? error.reason : error._tag, "NotJson")
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("a watch answered with an error status fails before streaming", () =>
    withServer(
      (_, response) => json(response, 403, status(403, "Forbidden", "configmaps is forbidden")),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const error = yield* Effect.flip(Stream.runDrain(api.watch()))
          assert.strictEqual(error._tag === "KubeApiError" && error.isForbidden, true)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("a line longer than the limit fails with LineTooLong instead of buffering", () =>
    withServer(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write(`${watchLines[0]}\n`)
        response.write("x".repeat(4096))
        // never ends: the client must give up on its own
      },
      (server) =>
        Effect.gen(function* () {
          const client = yield* KubeClient.KubeClient
          const api = Api.make(client, ConfigMap, Resource.namespace("default"))
          const error = yield* Effect.flip(Stream.runDrain(api.watch()))
          assert.strictEqual(error._tag, "KubeDecodeError")
          if (error._tag === "KubeDecodeError") assert.strictEqual(error.reason, "LineTooLong")
        }).pipe(Effect.provide(clientLayer(server.url, { maxLineBytes: 1024 })))
    )
  )

  it.live("stopping the consumer closes the connection on the server", () =>
    withServer(
      (_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        let n = 0
        const timer = setInterval(() => {
          response.write(`${JSON.stringify({ type: "ADDED", object: configMap(`cm-${n++}`) })}\n`)
        }, 5)
        response.on("close", () => clearInterval(timer))
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const events = yield* Stream.runCollect(api.watch().pipe(Stream.take(3)))
          assert.strictEqual(events.length, 3)
          for (let i = 0; i < 100 && server.abandoned() === 0; i++) yield* Effect.promise(() => sleep(10))
          assert.strictEqual(server.abandoned(), 1)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )
})

describe("Api verbs", () => {
  it.live("listAll pages with limit and continue, and an expired token is a typed Gone", () =>
    withServer(
      (request, response) => {
        const url = new URL(request.url, "http://x")
        const token = url.searchParams.get("continue")
        if (token === "expired")
          return json(response, 410, status(410, "Expired", "The provided continue parameter is too old"))
        const page = token === null ? 0 : Number(token)
        const items = [configMap(`cm-${page * 2}`), configMap(`cm-${page * 2 + 1}`)]
        const next = page < 2 ? String(page + 1) : request.headers["x-expire"] === undefined ? undefined : "expired"
        json(response, 200, {
          kind: "ConfigMapList",
          apiVersion: "v1",
          metadata: { resourceVersion: "10", ...(next === undefined ? {} : { continue: next }) },
          items
        })
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const names = yield* Stream.runCollect(
            api
              .listAll({ limit: 2, labelSelector: "app=web", resourceVersion: "0" })
              .pipe(Stream.map((cm) => cm.metadata?.name))
          )
          assert.deepStrictEqual(names, ["cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5"])
          assert.deepStrictEqual(
            server.received.map((request) => request.url),
            [
              "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=2",
              "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=2&continue=1",
              "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb&limit=2&continue=2"
            ]
          )
          const firstOnly = yield* Stream.runCollect(api.listAll({ limit: 2 }).pipe(Stream.take(2)))
          assert.strictEqual(firstOnly.length, 2)
          assert.strictEqual(server.received.length, 4, "a consumer that stops early fetches no more pages")
          const expired = yield* Effect.flip(Stream.runDrain(api.listAll({ continue: "expired" })))
          assert.strictEqual(expired._tag === "KubeApiError" && expired.isGone, true)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("getOption turns NotFound into None; delete returns the object or the Status", () =>
    withServer(
      (request, response) => {
        if (request.method === "GET") return json(response, 404, status(404, "NotFound", "not found"))
        if (request.url.endsWith("/gone"))
          return json(response, 200, {
            kind: "Status",
            apiVersion: "v1",
            status: "Success",
            details: { name: "gone", kind: "configmaps" }
          })
        if (request.url.endsWith("/last")) return json(response, 200, configMap("last"))
        json(response, 200, {
          ...configMap("pending"),
          metadata: { name: "pending", deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["x"] }
        })
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          assert.isTrue(Option.isNone(yield* api.getOption("missing")))
          const gone = yield* api.delete("gone", { propagationPolicy: "Background" })
          assert.strictEqual(gone._tag === "Deleted" ? gone.status?.details?.name : "", "gone")
          // Services (and Pods deleted at once) answer with their last state, without a deletionTimestamp.
          const last = yield* api.delete("last")
          assert.strictEqual(last._tag === "Deleted" ? last.object?.metadata?.name : "", "last")
          const pending = yield* api.delete("pending")
          assert.strictEqual(
            pending._tag === "Deleting" ? pending.object.metadata?.deletionTimestamp : "",
            "2026-01-01T00:00:00Z"
          )
          assert.deepStrictEqual(JSON.parse(server.received[1]?.body ?? ""), { propagationPolicy: "Background" })
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("create, replace and apply send the encoded object with apiVersion and kind, keeping unknown fields", () =>
    withServer(
      (request, response) =>
        json(
          response,
          200,
          request.method === "PATCH" && !request.url.includes("fieldManager")
            ? configMap("a")
            : JSON.parse(request.body)
        ),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const object = { metadata: { name: "a", labels: { app: "web" } }, data: { k: "v" }, futureField: { x: 1 } }
          yield* api.create(object)
          yield* api.apply("a", object, { fieldManager: "tests", force: true })
          yield* api.patch("a", Patch.merge({ data: { k: null } }))
          const [created, applied, patched] = server.received
          assert.deepStrictEqual(JSON.parse(created?.body ?? ""), { apiVersion: "v1", kind: "ConfigMap", ...object })
          assert.strictEqual(applied?.method, "PATCH")
          assert.strictEqual(applied?.headers["content-type"], "application/apply-patch+yaml")
          assert.strictEqual(applied?.url, "/api/v1/namespaces/default/configmaps/a?fieldManager=tests&force=true")
          assert.strictEqual(patched?.headers["content-type"], "application/merge-patch+json")
          assert.strictEqual(created?.headers["user-agent"], "effect-kube/0.1.0")
          assert.strictEqual(created?.headers.authorization, `Bearer ${token}`)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("streams log lines", () =>
    withServer(
      (_, response) => {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("first line\nsecond ")
        response.end("line\nlast without newline")
      },
      (server) =>
        Effect.gen(function* () {
          const client = yield* KubeClient.KubeClient
          const pods = Api.make(
            client,
            Resource.dynamic({ group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true }),
            Resource.namespace("default")
          )
          const lines = yield* Stream.runCollect(pods.log("web-0", { container: "app", follow: true }))
          assert.deepStrictEqual(lines, ["first line", "second line", "last without newline"])
          assert.strictEqual(
            server.received[0]?.url,
            "/api/v1/namespaces/default/pods/web-0/log?container=app&follow=true"
          )
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )
})

describe("connections, impersonation and tracing", () => {
  it.live("5 sequential calls use one TCP connection", () =>
    withServer(
      (_, response) => json(response, 200, configMap("a")),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          for (let i = 0; i < 5; i++) yield* api.get("a")
          assert.strictEqual(server.received.length, 5)
          assert.strictEqual(server.connections(), 1)
        }).pipe(Effect.provide(clientLayer(server.url)))
    )
  )

  it.live("sends one Impersonate-Group header per group and escaped extra keys", () =>
    withServer(
      (_, response) => json(response, 200, configMap("a")),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          yield* api.get("a")
          const raw = server.received[0]?.rawHeaders ?? []
          const pairs: Array<[string, string]> = []
          for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]?.toLowerCase() ?? "", raw[i + 1] ?? ""])
          assert.deepStrictEqual(
            pairs.filter(([name]) => name.startsWith("impersonate-")),
            [
              ["impersonate-user", "jane"],
              ["impersonate-group", "developers"],
              ["impersonate-group", "admins"],
              ["impersonate-uid", "u-1"],
              ["impersonate-extra-example.com%2fscopes", "read"],
              ["impersonate-extra-example.com%2fscopes", "write"]
            ]
          )
          assert.isFalse(pairs.some(([name]) => name === "x-effect-kube-repeated-headers"))
        }).pipe(
          Effect.provide(
            clientLayer(
              server.url,
              {},
              {
                impersonation: {
                  user: "jane",
                  uid: "u-1",
                  groups: ["developers", "admins"],
                  extra: { "example.com/scopes": ["read", "write"] }
                }
              }
            )
          )
        )
    )
  )

  it.live("every call is a span kube.<verb> <plural> with attributes, and no credential anywhere", () => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span(options) {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    return withServer(
      (request, response) =>
        request.url.includes("missing")
          ? json(response, 404, status(404, "NotFound", "not found"))
          : json(response, 200, { kind: "ConfigMapList", metadata: {}, items: [] }),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          yield* api.list()
          yield* Effect.exit(api.get("missing"))
          const list = spans.find((span) => span.name === "kube.list configmaps")
          assert.isDefined(list)
          assert.strictEqual(list?.kind, "client")
          assert.strictEqual(list?.attributes.get("k8s.namespace.name"), "default")
          assert.strictEqual(list?.attributes.get("kube.resource"), "configmaps")
          assert.strictEqual(list?.attributes.get("kube.version"), "v1")
          assert.strictEqual(list?.attributes.get("http.response.status_code"), 200)
          assert.strictEqual(list?.attributes.get("kube.retry_count"), 0)
          const get = spans.find((span) => span.name === "kube.get configmaps")
          assert.strictEqual(get?.attributes.get("kube.name"), "missing")
          assert.strictEqual(get?.attributes.get("http.response.status_code"), 404)
          assert.isTrue(get?.status._tag === "Ended" && Exit.isFailure(get.status.exit))
          const everything = spans
            .map((span) => `${span.name} ${[...span.attributes.entries()].map(String).join(" ")}`)
            .join("\n")
          assert.notInclude(everything, "Bearer")
          assert.notInclude(everything, token)
        }).pipe(Effect.provide(clientLayer(server.url)), Effect.withTracer(tracer))
    )
  })
})

describe("TLS", () => {
  const certificates = makeCertificates()
  const tlsServer = () =>
    startServer((_, response) => json(response, 200, configMap("a")), {
      key: certificates.serverKey,
      cert: certificates.serverCertificate,
      ca: certificates.ca,
      requestCert: true
    })

  const identity: ClusterConfig.ClientIdentity = {
    certificate: certificates.clientCertificate,
    key: Redacted.make(certificates.clientKey)
  }
  const withIdentity = (config: ClusterConfig.Credentials): ClusterConfig.Credentials => ({
    ...config,
    clientIdentity: Effect.succeed(Option.some(identity))
  })

  it.live("the cluster CA and a client certificate authenticate over mutual TLS", () =>
    Effect.acquireUseRelease(
      Effect.promise(tlsServer),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const object = yield* api.get("a")
          assert.strictEqual(object.metadata?.name, "a")
        }).pipe(
          Effect.provide(
            clientLayer(
              server.url,
              {},
              { certificateAuthority: certificates.ca, credentials: withIdentity(ClusterConfig.noCredentials) }
            )
          )
        ),
      (server) => Effect.promise(() => server.close())
    )
  )

  it.live("a wrong CA fails with a KubeNetworkError of reason Tls, and is not retried", () =>
    Effect.acquireUseRelease(
      Effect.promise(tlsServer),
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          const error = yield* Effect.flip(api.get("a"))
          assert.strictEqual(error._tag, "KubeNetworkError")
          if (error._tag === "KubeNetworkError") assert.strictEqual(error.reason, "Tls")
          assert.strictEqual(server.received.length, 0)
        }).pipe(
          Effect.provide(
            clientLayer(
              server.url,
              {},
              { certificateAuthority: certificates.otherCa, credentials: withIdentity(ClusterConfig.noCredentials) }
            )
          )
        ),
      (server) => Effect.promise(() => server.close())
    )
  )

  it.live("the fetch transport refuses a custom CA instead of ignoring it", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.provide(
          KubeClient.KubeClient.use(Effect.succeed),
          KubeClient.layer().pipe(
            Layer.provide(FetchTransport.layer),
            Layer.provide(
              ClusterConfig.layerExplicit({ server: "https://127.0.0.1:1", certificateAuthority: certificates.ca })
            )
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "Unsupported")
    })
  )
})

describe("fetch transport", () => {
  it.effect("refuses what fetch cannot do instead of connecting more weakly", () =>
    Effect.gen(function* () {
      const base = ClusterConfig.explicit({ server: "https://k", token: Redacted.make(token) })
      for (const config of [
        { ...base, proxyUrl: "http://proxy:3128" },
        { ...base, tlsServerName: "api.internal" },
        { ...base, insecureSkipTlsVerify: true }
      ]) {
        const exit = yield* Effect.exit(FetchTransport.check(config))
        assert.isTrue(Exit.isFailure(exit), JSON.stringify(Object.keys(config)))
      }
      yield* FetchTransport.check(base)
    })
  )

  it.live("serves plain requests and watches", () =>
    withServer(
      (request, response) => {
        if (request.url.includes("watch=true")) {
          response.writeHead(200, { "content-type": "application/json" })
          return response.end(`${watchLines.join("\n")}\n`)
        }
        json(response, 200, configMap("a"))
      },
      (server) =>
        Effect.gen(function* () {
          const api = yield* configMaps
          assert.strictEqual((yield* api.get("a")).metadata?.name, "a")
          const events = yield* Stream.runCollect(api.watch())
          assert.strictEqual(events.length, 4)
        }).pipe(
          Effect.provide(
            KubeClient.layer().pipe(
              Layer.provide(FetchTransport.layer),
              Layer.provide(ClusterConfig.layerExplicit({ server: server.url, token: Redacted.make(token) }))
            )
          )
        )
    )
  )
})
