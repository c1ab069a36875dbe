/**
 * The OpenAPI v3 documents, read as the project's codegen reads a live
 * cluster (`npm run codegen -- --kubeconfig <file> --v3 /openapi/v3`): the
 * index lists the core and apps group-versions, the Pod definition carries
 * its kind and the list semantics of `spec.containers`, and the descriptors
 * codegen derives for Pod, Namespace and Deployment are the registry's.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as KubeSource from "../../codegen/KubeSource.js"
import * as Model from "../../codegen/Model.js"
import * as Source from "../../codegen/Source.js"
import * as Spec from "../../codegen/Spec.js"
import * as Registry from "../../src/api/registry.js"
import { target } from "./target.js"

/** Runs `use` with a codegen source reading the target through the admin kubeconfig. */
const withCluster = <A>(use: (cluster: KubeSource.KubeSource) => Promise<A>) =>
  Effect.promise(async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "conformance-openapi-")), "kubeconfig")
    writeFileSync(kubeconfig, target.kubeconfigs.admin)
    const cluster = KubeSource.fromKubeconfig(kubeconfig)
    try {
      return await use(cluster)
    } finally {
      await cluster.dispose()
    }
  })

describe("openapi", () => {
  it.effect("the v3 index lists api/v1 and apps/v1, and the Pod definition has its kind and list semantics", () =>
    Effect.gen(function* () {
      const core = yield* withCluster(async (cluster) => {
        const index = Spec.decodeV3Index(await cluster.fetch(await cluster.resolve("/openapi/v3")))
        assert.isDefined(index.paths["apis/apps/v1"])
        const url = index.paths["api/v1"]?.serverRelativeURL
        assert.isDefined(url)
        const text = await cluster.fetch(await cluster.resolve(url ?? ""))
        return Spec.fromV3([{ text, origin: "api/v1" }], "api/v1")
      })
      const pod = core.definitions.get("io.k8s.api.core.v1.Pod")
      assert.deepInclude(pod?.["x-kubernetes-group-version-kind"] ?? [], { group: "", version: "v1", kind: "Pod" })
      const spec = pod?.properties?.spec
      assert.strictEqual(spec === undefined ? undefined : Spec.referenceOf(spec), "io.k8s.api.core.v1.PodSpec")
      const containers = core.definitions.get("io.k8s.api.core.v1.PodSpec")?.properties?.containers
      assert.strictEqual(containers?.type, "array")
      assert.strictEqual(containers?.["x-kubernetes-list-type"], "map")
      assert.deepStrictEqual(containers?.["x-kubernetes-list-map-keys"], ["name"])
      assert.strictEqual(containers?.["x-kubernetes-patch-merge-key"], "name")
      const items = containers?.items
      assert.strictEqual(items === undefined ? undefined : Spec.referenceOf(items), "io.k8s.api.core.v1.Container")
    })
  )

  it.effect("codegen derives the registry's Pod, Namespace and Deployment descriptors from the served documents", () =>
    Effect.gen(function* () {
      const api = Model.fromSpec(
        yield* withCluster(async (cluster) => Source.readV3(await cluster.resolve("/openapi/v3"), cluster.fetch))
      )
      const cases = [
        ["io.k8s.api.core.v1.Pod", "v1", "Pod"],
        ["io.k8s.api.core.v1.Namespace", "v1", "Namespace"],
        ["io.k8s.api.apps.v1.Deployment", "apps/v1", "Deployment"]
      ] as const
      for (const [definition, apiVersion, kind] of cases) {
        const served = api.definitions.get(definition)?.resource
        const registered = Option.getOrUndefined(Registry.findByKind(apiVersion, kind))
        assert.isDefined(served, definition)
        assert.deepStrictEqual(
          served && {
            plural: served.plural,
            namespaced: served.namespaced,
            verbs: served.verbs,
            subresources: served.subresources
          },
          registered && {
            plural: registered.plural,
            namespaced: registered.namespaced,
            verbs: [...registered.verbs].sort(),
            subresources: [...registered.subresources].sort()
          },
          definition
        )
      }
    })
  )
})
