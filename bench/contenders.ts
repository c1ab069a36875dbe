/**
 * The three contenders of the side-by-side bench, each able to list the
 * pods, run the watch to its end and make one small call against the
 * loopback server of `server.ts`: effect-kube (Node transport, decoded by
 * the generated `Pod` schema), @kubernetes/client-node 2.0.1 (its
 * `CoreV1Api` and `Watch`) and plain `fetch` + `JSON.parse`.
 */
import { CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { Pod } from "../src/api/core/v1.js"
import { Api, ClusterConfig, KubeClient, NodeTransport } from "../src/index.js"

/** What each contender can do; each call resolves to how many items or events it got. */
export interface Contender {
  readonly name: string
  /** Lists every pod, decoded. */
  readonly list: () => Promise<number>
  /** Runs the 20k-event watch to its end, every event decoded. */
  readonly watch: () => Promise<number>
  /** Lists the three pods of the `small` namespace. */
  readonly small: () => Promise<number>
  /** Reads the list's body as text and nothing else (the transport alone); resolves to its length. */
  readonly listText?: () => Promise<number>
  readonly close: () => Promise<void>
}

/** The bearer token every contender sends (the loopback server ignores it). */
const token = "bench-token"

/** The effect-kube client layer on the Node transport for a loopback server. */
export const effectKubeLayer = (server: string) =>
  KubeClient.layer().pipe(
    Layer.provide(NodeTransport.layer()),
    Layer.provideMerge(ClusterConfig.layerExplicit({ server, token: Redacted.make(token) }))
  )

/** effect-kube: `Api.list` and `Api.watch` on one runtime built once. */
export const effectKube = (server: string): Contender => {
  const runtime = ManagedRuntime.make(effectKubeLayer(server))
  return {
    name: "effect-kube",
    list: () =>
      runtime.runPromise(
        Effect.flatMap(Api.all(Pod), (pods) => pods.list()).pipe(Effect.map((list) => list.items.length))
      ),
    watch: () =>
      runtime.runPromise(Effect.flatMap(Api.namespaced(Pod, "watch"), (pods) => Stream.runCount(pods.watch()))),
    small: () =>
      runtime.runPromise(
        Effect.flatMap(Api.namespaced(Pod, "small"), (pods) => pods.list()).pipe(
          Effect.map((list) => list.items.length)
        )
      ),
    listText: () =>
      runtime.runPromise(
        Effect.flatMap(KubeClient.KubeClient, (client) =>
          Effect.flatMap(
            client.send(HttpClientRequest.get("/api/v1/pods"), {
              verb: "list",
              resource: { group: "", version: "v1", plural: "pods" }
            }),
            (response) => response.text
          )
        ).pipe(Effect.map((text) => text.length))
      ),
    close: () => runtime.dispose()
  }
}

/** A client-node `KubeConfig` for a loopback server with a bearer token. */
export const clientNodeConfig = (server: string): KubeConfig => {
  const config = new KubeConfig()
  config.loadFromOptions({
    clusters: [{ name: "bench", server, skipTLSVerify: true }],
    users: [{ name: "bench", token }],
    contexts: [{ name: "bench", cluster: "bench", user: "bench" }],
    currentContext: "bench"
  })
  return config
}

/** @kubernetes/client-node: `CoreV1Api` lists (deserialised into its model classes) and `Watch`. */
export const clientNode = (server: string): Contender => {
  const config = clientNodeConfig(server)
  const core = config.makeApiClient(CoreV1Api)
  return {
    name: "client-node",
    list: async () => (await core.listPodForAllNamespaces()).items.length,
    watch: () =>
      new Promise<number>((resolve, reject) => {
        let events = 0
        new Watch(config)
          .watch(
            "/api/v1/namespaces/watch/pods",
            {},
            () => {
              events++
            },
            (error: unknown) => (error === null || error === undefined ? resolve(events) : reject(error))
          )
          .catch(reject)
      }),
    small: async () => (await core.listNamespacedPod({ namespace: "small" })).items.length,
    close: async () => undefined
  }
}

const itemCount = (json: unknown): number => {
  if (typeof json !== "object" || json === null || !("items" in json) || !Array.isArray(json.items))
    throw new Error("not a list")
  return json.items.length
}

/** Plain `fetch` + `JSON.parse`: no types, no validation, the floor. */
export const plainFetch = (server: string): Contender => ({
  name: "fetch + JSON.parse",
  list: async () => itemCount(JSON.parse(await (await fetch(`${server}/api/v1/pods`)).text())),
  watch: async () => {
    const response = await fetch(`${server}/api/v1/namespaces/watch/pods?watch=true`)
    if (response.body === null) throw new Error("no body")
    const decoder = new TextDecoder()
    let pending = ""
    let events = 0
    for await (const chunk of response.body) {
      pending += decoder.decode(chunk, { stream: true })
      let start = 0
      let newline = pending.indexOf("\n")
      while (newline !== -1) {
        if (newline > start && JSON.parse(pending.slice(start, newline)) !== null) events++
        start = newline + 1
        newline = pending.indexOf("\n", start)
      }
      pending = pending.slice(start)
    }
    return events
  },
  small: async () => itemCount(JSON.parse(await (await fetch(`${server}/api/v1/namespaces/small/pods`)).text())),
  listText: async () => (await (await fetch(`${server}/api/v1/pods`)).text()).length,
  close: async () => undefined
})
