/**
 * Lists pods as `kubectl get pods` does, fetched in pages with `listAll`
 * (limit/continue), optionally filtered by a label selector.
 *
 *   npm run example examples/pod-list.ts -- [--namespace <ns> | --all-namespaces] [--selector app=web] [--embedded]
 *
 * On the embedded server (no cluster configured, or `--embedded`) it first
 * creates a few pods so there is something to list.
 */
import { parseArgs } from "node:util"
import { Console, DateTime, Effect, Stream } from "effect"
import { Api, Patch } from "effect-kube"
import { Pod } from "effect-kube/api/core/v1"
import * as Cluster from "./support/cluster.js"

const { values: flags } = parseArgs({
  options: {
    namespace: { type: "string", short: "n" },
    "all-namespaces": { type: "boolean", short: "A", default: false },
    selector: { type: "string", short: "l" },
    embedded: { type: "boolean", default: false }
  }
})

/** Seeds the embedded server with pods in two phases and two tiers. */
const seed = Effect.gen(function* () {
  const pods = yield* Api.namespaced(Pod, "default")
  for (const [index, tier] of ["frontend", "frontend", "backend"].entries()) {
    const created = yield* pods.create({
      metadata: { name: `${tier}-${index}`, labels: { app: "shop", tier } },
      spec: { nodeName: `node-${index % 2}`, containers: [{ name: "main", image: "nginx:1.27" }] }
    })
    yield* pods.patchStatus(
      created.metadata?.name ?? "",
      Patch.merge({ status: { phase: index === 2 ? "Pending" : "Running" } })
    )
  }
})

/** How long ago, as kubectl prints it. */
const age = (created: string | undefined, now: DateTime.Utc): string => {
  if (created === undefined) return "<unknown>"
  const seconds = Math.max(0, Math.floor((DateTime.toEpochMillis(now) - Date.parse(created)) / 1000))
  if (seconds < 120) return `${seconds}s`
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86400)}d`
}

const program = Effect.gen(function* () {
  const target = yield* Cluster.describe
  if (target.kind === "embedded") yield* seed
  const pods = flags["all-namespaces"] ? yield* Api.all(Pod) : yield* Api.namespaced(Pod, flags.namespace)
  const now = yield* DateTime.now
  const allNamespaces = flags["all-namespaces"] === true
  const rows = yield* pods.listAll(flags.selector === undefined ? {} : { labelSelector: flags.selector }).pipe(
    Stream.map((pod) => [
      ...(allNamespaces ? [pod.metadata?.namespace ?? ""] : []),
      pod.metadata?.name ?? "",
      pod.status?.phase ?? "Unknown",
      pod.spec?.nodeName ?? "<none>",
      age(pod.metadata?.creationTimestamp, now)
    ]),
    Stream.runCollect
  )
  if (rows.length === 0) return yield* Console.log("No resources found.")
  // As kubectl: the NAMESPACE column only when listing across namespaces.
  const header = [...(allNamespaces ? ["NAMESPACE"] : []), "NAME", "STATUS", "NODE", "AGE"]
  const table = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? "").length)))
  for (const row of table)
    yield* Console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("   ")
        .trimEnd()
    )
})

program
  .pipe(
    Effect.provide(Cluster.layer({ embedded: flags.embedded || !Cluster.clusterConfigured() })),
    Effect.tapCause((cause) => Console.error(`pod-list failed:\n${cause}`)),
    Effect.runPromise
  )
  .then(
    () => process.exit(0),
    () => process.exit(1)
  )
