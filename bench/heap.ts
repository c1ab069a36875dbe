/**
 * One heap measurement, in a process of its own (started by `run.ts` with
 * `--expose-gc`, so heaps of different contenders never mix):
 *
 *   node --expose-gc --import tsx bench/heap.ts <contender> <server URL> <pods>
 *
 * Everything the contender needs is loaded and built first; then the heap is
 * measured after full collections, the cache is filled with every pod of the
 * loopback server (a list, then a watch that stays open), collected again and
 * measured again. Prints `{ "bytesPerPod": … }` as one JSON line.
 *
 * Contenders: `effect-kube` (Store fed by the watcher), `effect-kube-pruned`
 * (the same with `withoutManagedFields`), `client-node` (its informer's
 * cache), `json-parse` (one `JSON.parse`d list, kept) and `decoded-list`
 * (the same list decoded by the Pod list schema, kept: what the Store adds
 * on top of it is its index).
 */
import { CoreV1Api, makeInformer, type V1Pod } from "@kubernetes/client-node"
import { Fiber, ManagedRuntime, Schema, Stream } from "effect"
import { Pod } from "../src/api/core/v1.js"
import { Api } from "../src/index.js"
import { Store, Watcher } from "../src/runtime/index.js"
import { clientNodeConfig, effectKubeLayer } from "./contenders.js"

const [contender = "", server = "", podsArgument = "10000"] = process.argv.slice(2)
const pods = Number(podsArgument)

const collect = async (): Promise<number> => {
  const gc = globalThis.gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  for (let round = 0; round < 4; round++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

/** Keeps what is measured reachable until the end. */
const kept: Array<unknown> = []

const measure = async (): Promise<number> => {
  if (contender === "json-parse") {
    const before = await collect()
    const list: unknown = JSON.parse(await (await fetch(`${server}/api/v1/pods`)).text())
    kept.push(list)
    return (await collect()) - before
  }
  if (contender === "decoded-list") {
    const decode = Schema.decodeUnknownSync(Pod.listSchema)
    const before = await collect()
    const list = decode(JSON.parse(await (await fetch(`${server}/api/v1/pods`)).text()))
    kept.push(list)
    return (await collect()) - before
  }
  if (contender === "client-node") {
    const config = clientNodeConfig(server)
    const core = config.makeApiClient(CoreV1Api)
    const informer = makeInformer<V1Pod>(config, "/api/v1/pods", () => core.listPodForAllNamespaces())
    kept.push(informer)
    const before = await collect()
    await informer.start()
    while (informer.list().length < pods) await new Promise((resolve) => setTimeout(resolve, 20))
    const after = await collect()
    await informer.stop()
    return after - before
  }
  if (contender === "effect-kube" || contender === "effect-kube-pruned") {
    const runtime = ManagedRuntime.make(effectKubeLayer(server))
    const api = await runtime.runPromise(Api.all(Pod))
    const store = await runtime.runPromise(
      Store.make<Pod>(contender === "effect-kube-pruned" ? { transform: Store.withoutManagedFields } : {})
    )
    kept.push(runtime, api, store)
    const before = await collect()
    const fiber = runtime.runFork(Stream.runDrain(Store.reflector(store, Watcher.watcher(api))))
    await runtime.runPromise(store.waitUntilReady)
    const size = await runtime.runPromise(store.size)
    if (size !== pods) throw new Error(`the store holds ${size} pods, expected ${pods}`)
    const after = await collect()
    await runtime.runPromise(Fiber.interrupt(fiber))
    return after - before
  }
  throw new Error(`unknown contender ${contender}`)
}

const bytes = await measure()
process.stdout.write(`${JSON.stringify({ bytesPerPod: bytes / pods })}\n`)
process.exit(0)
