/**
 * The watcher's key acceptance test: a Store fed through a proxy that cuts,
 * expires, stalls and throttles its connections ends up equal to the
 * server's state — same names, same resourceVersions — and the watcher
 * stream never ends. Faults and the driver's writes come from seeded
 * generators (`NO_LOST_EVENTS_SEED` picks another seed) so a failure can be
 * replayed.
 *
 * The upstream is FakeKube on loopback with a short watch history (100
 * changes), so resuming after a long cut meets a real 410 and a relist.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, type Redacted, Stream } from "effect"
import { ConfigMap } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as ClusterConfig from "../../src/client/ClusterConfig.js"
import * as KubeClient from "../../src/client/KubeClient.js"
import * as NodeTransport from "../../src/client/NodeTransport.js"
import * as Store from "../../src/runtime/Store.js"
import * as Watcher from "../../src/runtime/Watcher.js"
import { FakeKube } from "../../src/testing/index.js"
import { seededRandom, startFaultProxy } from "./support/faultProxy.js"

const seed = Number(process.env.NO_LOST_EVENTS_SEED ?? "20261123")
const operations = 3000
const maximumOperations = 15000
const namespaces = ["default", "kube-public", "kube-system"]

const clientLayer = (server: string, token: Redacted.Redacted<string>) =>
  KubeClient.layer().pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provide(Layer.succeed(ClusterConfig.ClusterConfig, ClusterConfig.explicit({ server, token })))
  )

const versions = (objects: ReadonlyArray<ConfigMap>) =>
  new Map(
    objects.map((object) => [
      `${object.metadata?.namespace}/${object.metadata?.name}`,
      object.metadata?.resourceVersion
    ])
  )

const sorted = (map: Map<string, string | undefined>) => [...map.entries()].sort(([a], [b]) => a.localeCompare(b))

describe("watcher and Store under faults", () => {
  it.live(
    "no lost events: after random writes through cuts, 410s, stalls and throttled lists, the Store equals the server",
    () =>
      Effect.gen(function* () {
        const server = yield* FakeKube.serve({ watchHistory: 100, bookmarkInterval: "300 millis" })
        const proxy = yield* Effect.acquireRelease(
          Effect.promise(() => startFaultProxy(server.url, seededRandom(seed))),
          (proxy) => Effect.promise(() => proxy.close())
        )
        // The clients live as long as the test: an Api handle keeps using its layer's transport.
        const throughProxy = yield* Layer.build(clientLayer(proxy.url, server.token))
        const straight = yield* Layer.build(clientLayer(server.url, server.token))
        const watched = yield* Api.all(ConfigMap).pipe(Effect.provide(throughProxy))
        const direct = yield* Api.all(ConfigMap).pipe(Effect.provide(straight))
        const inNamespace = yield* Effect.forEach(namespaces, (namespace) =>
          Api.namespaced(ConfigMap, namespace).pipe(Effect.provide(straight))
        )

        let reported = 0
        const store = yield* Store.make<ConfigMap>()
        const reflecting = yield* Effect.forkChild(
          Stream.runDrain(
            Store.reflector(
              store,
              Watcher.watcher(watched, {
                timeoutSeconds: 2,
                idleMargin: "1 second",
                backoff: { initial: "20 millis", max: "300 millis" },
                onError: () => Effect.sync(() => void reported++)
              })
            )
          )
        )
        yield* store.waitUntilReady

        // The driver: random creates, updates and deletes of 40 names per namespace.
        const random = seededRandom(seed + 1)
        const exists = new Set<string>()
        // At least `operations` writes, and on until every kind of fault has struck at least once.
        const allFaultsSeen = () => Object.values(proxy.faults).every((count) => count > 0)
        for (let step = 0; step < operations || (!allFaultsSeen() && step < maximumOperations); step++) {
          const namespaceIndex = Math.floor(random() * namespaces.length)
          const api = inNamespace[namespaceIndex]!
          const name = `object-${Math.floor(random() * 40)}`
          const key = `${namespaces[namespaceIndex]}/${name}`
          const object: ConfigMap = { metadata: { name }, data: { step: String(step) } }
          if (!exists.has(key)) {
            yield* api.create(object)
            exists.add(key)
          } else if (random() < 0.7) {
            yield* api.replace(name, object)
          } else {
            yield* api.delete(name)
            exists.delete(key)
          }
        }
        proxy.calm()

        const expected = versions((yield* direct.list()).items)
        let actual = versions(yield* store.list)
        for (let wait = 0; wait < 200 && JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(expected)); wait++) {
          yield* Effect.sleep(Duration.millis(100))
          actual = versions(yield* store.list)
        }
        assert.deepStrictEqual(sorted(actual), sorted(expected))
        assert.strictEqual(expected.size, exists.size)
        assert.isUndefined(reflecting.pollUnsafe(), "the watcher stream never ended")
        for (const [fault, count] of Object.entries(proxy.faults)) {
          assert.isAbove(count, 0, `the proxy injected at least one ${fault}`)
        }
        assert.isAbove(reported, 0, "failures were reported to onError")
      }).pipe(Effect.scoped),
    { timeout: 60_000 }
  )
})
