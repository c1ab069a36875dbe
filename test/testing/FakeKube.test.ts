import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Redacted, Stream } from "effect"
import { Deployment } from "../../src/api/apps/v1.js"
import { ConfigMap, Namespace, Pod } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import { ClusterConfig } from "../../src/client/ClusterConfig.js"
import type * as KubeClient from "../../src/client/KubeClient.js"
import type { KubeError } from "../../src/client/KubeError.js"
import * as Patch from "../../src/core/Patch.js"
import { FakeKube } from "../../src/testing/index.js"
import { expectApiError } from "../support/client.js"
import { loopbackClient } from "../support/fakeKube.js"

const pod = (name: string, labels: Record<string, string> = {}, namespace = "default") => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: "app", image: "nginx" }] }
})

const configMap = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data
})

describe("FakeKube.layer (in process)", () => {
  it.effect("creates, reads, replaces and deletes with resourceVersions, uids and timestamps", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const created = yield* configMaps.create(configMap("settings", { mode: "fast" }))
      assert.strictEqual(created.metadata?.namespace, "default")
      assert.match(created.metadata?.uid ?? "", /^[0-9a-f-]{36}$/)
      assert.match(created.metadata?.creationTimestamp ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      const firstVersion = Number(created.metadata?.resourceVersion)
      const replaced = yield* configMaps.replace("settings", { ...created, data: { mode: "slow" } })
      assert.isAbove(Number(replaced.metadata?.resourceVersion), firstVersion)
      assert.deepStrictEqual(replaced.data, { mode: "slow" })
      const stale = yield* expectApiError(configMaps.replace("settings", { ...created, data: { mode: "stale" } }))
      assert.strictEqual(stale.code, 409)
      assert.strictEqual(
        stale.status.message,
        'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again'
      )
      const deleted = yield* configMaps.delete("settings")
      assert.strictEqual(deleted._tag, "Deleted")
      const missing = yield* expectApiError(configMaps.get("settings"))
      assert.strictEqual(missing.code, 404)
      assert.strictEqual(missing.status.message, 'configmaps "settings" not found')
      assert.deepStrictEqual(missing.status.details, { name: "settings", kind: "configmaps" })
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("answers AlreadyExists, missing namespaces and invalid names as the real server", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create(configMap("one"))
      const exists = yield* expectApiError(configMaps.create(configMap("one")))
      assert.strictEqual(exists.code, 409)
      assert.strictEqual(exists.status.reason, "AlreadyExists")
      assert.strictEqual(exists.status.message, 'configmaps "one" already exists')
      const elsewhere = yield* Api.namespaced(ConfigMap, "nowhere")
      const noNamespace = yield* expectApiError(elsewhere.create(configMap("two")))
      assert.strictEqual(noNamespace.status.message, 'namespaces "nowhere" not found')
      const invalid = yield* expectApiError(configMaps.create(configMap("Not_Valid")))
      assert.strictEqual(invalid.code, 422)
      assert.strictEqual(invalid.status.details?.causes?.[0]?.field, "metadata.name")
      assert.strictEqual(invalid.status.details?.causes?.[0]?.reason, "FieldValueInvalid")
      assert.match(
        invalid.status.message ?? "",
        /^ConfigMap "Not_Valid" is invalid: metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/
      )
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a `__proto__` key is data like any other: every patch kind keeps it", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create({ metadata: { name: "keys" }, data: { plain: "1" } })
      const merged = yield* configMaps.patch("keys", Patch.merge({ data: { ["__proto__"]: "merge" } }))
      assert.deepStrictEqual(Object.entries(merged.data ?? {}), [
        ["plain", "1"],
        ["__proto__", "merge"]
      ])
      const strategic = yield* configMaps.patch("keys", Patch.strategic({ data: { ["__proto__"]: "strategic" } }))
      assert.deepStrictEqual(Object.entries(strategic.data ?? {}), [
        ["plain", "1"],
        ["__proto__", "strategic"]
      ])
      const applied = yield* configMaps.apply(
        "keys",
        { metadata: { name: "keys" }, data: { ["__proto__"]: "applied" } },
        { fieldManager: "test", force: true }
      )
      assert.strictEqual(Object.entries(applied.data ?? {}).find(([key]) => key === "__proto__")?.[1], "applied")
      assert.strictEqual(Object.getPrototypeOf(applied.data), Object.prototype)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("provides what Kube.layer provides: the client and its ClusterConfig", () =>
    Effect.gen(function* () {
      const configuration = yield* ClusterConfig
      assert.strictEqual(configuration.source, "embedded")
      assert.strictEqual(configuration.namespace, "default")
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a workload's selector must match its template's labels, matchExpressions included", () =>
    Effect.gen(function* () {
      const deployments = yield* Api.namespaced(Deployment, "default")
      const deployment = (name: string, operator: "In" | "NotIn") => ({
        metadata: { name },
        spec: {
          selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator, values: ["front"] }] },
          template: {
            metadata: { labels: { app: "web", tier: "front" } },
            spec: { containers: [{ name: "c", image: "nginx" }] }
          }
        }
      })
      yield* deployments.create(deployment("matching", "In"))
      const refused = yield* expectApiError(deployments.create(deployment("excluding", "NotIn")))
      assert.strictEqual(refused.code, 422)
      assert.include(refused.status.message, "`selector` does not match template `labels`")
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("generateName makes a five-character suffix", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const created = yield* configMaps.create({ metadata: { generateName: "job-" } })
      assert.match(created.metadata?.name ?? "", /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
      assert.strictEqual(created.metadata?.generateName, "job-")
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("lists with label and field selectors, and rejects unsupported field labels", () =>
    Effect.gen(function* () {
      const pods = yield* Api.namespaced(Pod, "default")
      const web = yield* pods.list({ labelSelector: "app=web" })
      assert.deepStrictEqual(
        web.items.map((item) => item.metadata?.name),
        ["a", "c"]
      )
      const notWeb = yield* pods.list({ labelSelector: "app notin (web),tier" })
      assert.deepStrictEqual(
        notWeb.items.map((item) => item.metadata?.name),
        ["b"]
      )
      const byName = yield* pods.list({ fieldSelector: "metadata.name=c" })
      assert.deepStrictEqual(
        byName.items.map((item) => item.metadata?.name),
        ["c"]
      )
      const all = yield* Api.all(Pod)
      const everywhere = yield* all.list({ fieldSelector: "metadata.namespace!=default" })
      assert.deepStrictEqual(
        everywhere.items.map((item) => item.metadata?.name),
        ["d"]
      )
      const unsupported = yield* expectApiError(pods.list({ fieldSelector: "spec.foo=bar" }))
      assert.strictEqual(unsupported.code, 400)
      assert.strictEqual(unsupported.status.message, "field label not supported: spec.foo")
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const unknown = yield* expectApiError(configMaps.list({ fieldSelector: "data.x=1" }))
      assert.strictEqual(
        unknown.status.message,
        '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'
      )
    }).pipe(
      Effect.provide(
        FakeKube.layer({
          objects: [
            pod("a", { app: "web" }),
            pod("b", { app: "db", tier: "back" }),
            pod("c", { app: "web" }),
            pod("d", { app: "web" }, "other")
          ]
        })
      )
    )
  )

  it.effect("paginates over one snapshot, and a snapshot older than the history is 410 Expired", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      for (const name of ["a", "b", "c", "d", "e"]) yield* configMaps.create(configMap(name))
      const first = yield* configMaps.list({ limit: 2 })
      assert.deepStrictEqual(
        first.items.map((item) => item.metadata?.name),
        ["a", "b"]
      )
      assert.strictEqual(first.metadata?.remainingItemCount, 3)
      yield* configMaps.delete("c")
      yield* configMaps.create(configMap("bb"))
      const second = yield* configMaps.list({ limit: 2, continue: first.metadata?.continue ?? "" })
      assert.deepStrictEqual(
        second.items.map((item) => item.metadata?.name),
        ["c", "d"]
      )
      assert.strictEqual(second.metadata?.resourceVersion, first.metadata?.resourceVersion)
      for (const name of ["f", "g", "h", "i"]) yield* configMaps.create(configMap(name))
      const expired = yield* expectApiError(configMaps.list({ limit: 2, continue: second.metadata?.continue ?? "" }))
      assert.strictEqual(expired.code, 410)
      assert.strictEqual(expired.status.reason, "Expired")
    }).pipe(Effect.provide(FakeKube.layer({ watchHistory: 4 })))
  )

  it.effect("watches from a resourceVersion in order, and an object leaving the selector is DELETED", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const start = yield* configMaps.list()
      const created = yield* configMaps.create({
        ...configMap("watched"),
        metadata: { name: "watched", labels: { keep: "yes" } }
      })
      const updated = yield* configMaps.replace("watched", { ...created, data: { a: "1" } })
      yield* configMaps.replace("watched", { ...updated, metadata: { ...updated.metadata, labels: { keep: "no" } } })
      yield* configMaps.create({ ...configMap("other"), metadata: { name: "other", labels: { keep: "yes" } } })
      const events = yield* configMaps
        .watch({ resourceVersion: start.metadata?.resourceVersion ?? "", labelSelector: "keep=yes" })
        .pipe(Stream.take(4), Stream.runCollect)
      assert.deepStrictEqual(
        events.map((event) => [event.type, event.type === "BOOKMARK" ? "" : event.object.metadata?.name]),
        [
          ["ADDED", "watched"],
          ["MODIFIED", "watched"],
          ["DELETED", "watched"],
          ["ADDED", "other"]
        ]
      )
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a watch without a resourceVersion starts with ADDED for every object, then live changes", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      yield* configMaps.create(configMap("existing"))
      const fiber = yield* configMaps.watch().pipe(Stream.take(2), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      yield* configMaps.create(configMap("later"))
      const events = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        events.map((event) => [event.type, event.type === "BOOKMARK" ? "" : event.object.metadata?.name]),
        [
          ["ADDED", "existing"],
          ["ADDED", "later"]
        ]
      )
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("a watch from a resourceVersion older than the history fails with 410 Expired", () =>
    Effect.gen(function* () {
      const configMaps = yield* Api.namespaced(ConfigMap, "default")
      const start = yield* configMaps.list()
      for (const name of ["a", "b", "c"]) yield* configMaps.create(configMap(name))
      const exit = yield* configMaps
        .watch({ resourceVersion: start.metadata?.resourceVersion ?? "" })
        .pipe(Stream.runCollect, Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* expectApiError(
        configMaps.watch({ resourceVersion: start.metadata?.resourceVersion ?? "" }).pipe(Stream.runCollect)
      )
      assert.strictEqual(error.code, 410)
      assert.strictEqual(error.status.reason, "Expired")
      assert.match(error.status.message ?? "", /^too old resource version: \d+ \(\d+\)$/)
    }).pipe(Effect.provide(FakeKube.layer({ watchHistory: 2 })))
  )

  it.effect("status writes change only status and never the generation; spec writes bump it", () =>
    Effect.gen(function* () {
      const deployments = yield* Api.namespaced(Deployment, "default")
      const created = yield* deployments.create({
        metadata: { name: "web" },
        spec: {
          selector: { matchLabels: { app: "web" } },
          template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } }
        },
        status: { replicas: 9 }
      })
      assert.strictEqual(created.metadata?.generation, 1)
      assert.deepStrictEqual(created.status, {})
      const spec = created.spec
      assert.isDefined(spec)
      const withStatus = yield* deployments.replaceStatus("web", {
        ...created,
        spec: { ...spec, replicas: 5 },
        status: { replicas: 3 }
      })
      assert.strictEqual(withStatus.status?.replicas, 3)
      assert.strictEqual(withStatus.spec?.replicas, created.spec?.replicas)
      assert.strictEqual(withStatus.metadata?.generation, 1)
      const scaled = yield* deployments.replace("web", { ...withStatus, spec: { ...spec, replicas: 4 }, status: {} })
      assert.strictEqual(scaled.metadata?.generation, 2)
      assert.strictEqual(scaled.status?.replicas, 3)
    }).pipe(Effect.provide(FakeKube.layer()))
  )

  it.effect("the FakeKube service reads and seeds state directly", () =>
    Effect.gen(function* () {
      const fake = yield* FakeKube
      yield* fake.seed([pod("seeded", { app: "x" }, "team")])
      const seeded = yield* fake.get(Pod, "seeded", "team")
      assert.isTrue(Option.isSome(seeded))
      const namespaces = yield* fake.list(Namespace)
      assert.includeMembers(
        namespaces.map((namespace) => namespace.metadata?.name),
        ["default", "kube-system", "kube-public", "kube-node-lease", "team"]
      )
      const pods = yield* Api.namespaced(Pod, "team")
      const listed = yield* pods.list()
      assert.strictEqual(listed.metadata?.resourceVersion, yield* fake.resourceVersion)
    }).pipe(Effect.provide(FakeKube.layer()))
  )
})

describe("FakeKube.serve (loopback)", () => {
  it.live("serves the project's client over HTTPS with the generated kubeconfig", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({ tls: true })
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      assert.isTrue(Option.isSome(server.certificateAuthority))
      const result = yield* Effect.gen(function* () {
        const pods = yield* Api.namespaced(Pod, "default")
        yield* pods.create(pod("over-tls", { app: "web" }))
        return yield* pods.list({ labelSelector: "app=web" })
      }).pipe(Effect.provide(loopbackClient(server)))
      assert.deepStrictEqual(
        result.items.map((item) => item.metadata?.name),
        ["over-tls"]
      )
    }).pipe(Effect.scoped)
  )

  it.live("rejects an unknown token with 401 and a denied request with the real 403 message", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve({
        tls: true,
        tokens: [
          { token: "admin-token", user: "admin", groups: ["system:masters"] },
          { token: "viewer-token", user: "viewer" }
        ],
        authorize: (request) => request.user === "admin" || request.verb === "get"
      })
      const kubeconfigFor = (token: string) => server.kubeconfig.replace("admin-token", token)
      const asUser = (token: string) =>
        loopbackClient({ ...server, kubeconfig: kubeconfigFor(token), token: Redacted.make(token) })
      const list = Effect.flatMap(Api.namespaced(Pod, "default"), (pods) => pods.list())
      const as =
        (token: string) =>
        <A>(effect: Effect.Effect<A, KubeError, KubeClient.KubeClient>) =>
          effect.pipe(Effect.provide(asUser(token)))
      const denied = yield* expectApiError(as("viewer-token")(list))
      assert.strictEqual(denied.code, 403)
      assert.strictEqual(
        denied.status.message,
        'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"'
      )
      const unknown = yield* expectApiError(as("nobody")(list))
      assert.strictEqual(unknown.code, 401)
      assert.strictEqual(unknown.status.reason, "Unauthorized")
      const allowed = yield* as("admin-token")(list)
      assert.deepStrictEqual(allowed.items, [])
    }).pipe(Effect.scoped)
  )

  it.live("closing a watch's connection frees the watcher", () =>
    Effect.gen(function* () {
      const server = yield* FakeKube.serve()
      const events = yield* Effect.gen(function* () {
        const configMaps = yield* Api.namespaced(ConfigMap, "default")
        yield* configMaps.create(configMap("first"))
        return yield* configMaps.watch().pipe(Stream.take(1), Stream.runCollect)
      }).pipe(Effect.provide(loopbackClient(server)))
      assert.strictEqual(events.length, 1)
      let open = yield* server.fake.openWatches
      for (let attempt = 0; attempt < 100 && open > 0; attempt++) {
        yield* Effect.sleep("10 millis")
        open = yield* server.fake.openWatches
      }
      assert.strictEqual(open, 0)
    }).pipe(Effect.scoped)
  )
})
