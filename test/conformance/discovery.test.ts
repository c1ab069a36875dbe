/**
 * Discovery against the generated registry: every group-version the server
 * serves for the built-in groups resolves, kind by kind, to a descriptor in
 * `src/api/registry.ts` with the same plural, scope, verbs and subresources,
 * and every registry descriptor of a served group-version exists on the server.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClientRequest } from "effect/http"
import {
  APIGroupList,
  type APIResourceList,
  APIResourceList as APIResourceListSchema,
  APIVersions
} from "../../src/api/meta/v1.js"
import * as Registry from "../../src/api/registry.js"
import { type Decoder, decoderFor, KubeClient } from "../../src/client/KubeClient.js"
import { conformanceLayer } from "./support.js"

const discoveryCall = { verb: "get", resource: { group: "", version: "", plural: "" } }

const discover = <A>(path: string, decode: Decoder<A>) =>
  KubeClient.use((client) => client.request(HttpClientRequest.get(path), discoveryCall, decode))

/** One line per resource: `apiVersion kind plural namespaced verbs subresources`, comparable as strings. */
const describeServed = (apiVersion: string, list: APIResourceList): Array<string> => {
  const resources = list.resources.filter((resource) => !resource.name.includes("/"))
  return resources.map((resource) => {
    const subresources = list.resources
      .filter((candidate) => candidate.name.startsWith(`${resource.name}/`))
      .map((candidate) => candidate.name.slice(resource.name.length + 1))
      .sort()
    return `${apiVersion} ${resource.kind} ${resource.name} namespaced=${resource.namespaced} verbs=${[...resource.verbs].sort().join(",")} subresources=${subresources.join(",")}`
  })
}

layer(conformanceLayer("discovery"), { excludeTestServices: true })("discovery", (it) => {
  it.effect(
    "the server's built-in kinds are the registry's kinds, with the same plural, scope, verbs and subresources",
    () =>
      Effect.gen(function* () {
        const core = yield* discover("/api", decoderFor(APIVersions))
        assert.deepStrictEqual(core.versions, ["v1"])
        const groups = yield* discover("/apis", decoderFor(APIGroupList))
        const registryGroups = new Set(Registry.resources.map((resource) => resource.group))
        const servedVersions = [
          "v1",
          ...groups.groups
            .filter((group) => registryGroups.has(group.name))
            .flatMap((group) => group.versions.map((version) => version.groupVersion))
        ]
        assert.include(servedVersions, "apps/v1")
        assert.include(servedVersions, "apiextensions.k8s.io/v1")

        const served: Array<string> = []
        for (const apiVersion of servedVersions) {
          const list = yield* discover(
            apiVersion === "v1" ? "/api/v1" : `/apis/${apiVersion}`,
            decoderFor(APIResourceListSchema)
          )
          assert.strictEqual(list.groupVersion, apiVersion)
          served.push(...describeServed(apiVersion, list))
        }
        const known = Registry.resources
          .filter((resource) => servedVersions.includes(resource.apiVersion))
          .map(
            (resource) =>
              `${resource.apiVersion} ${resource.kind} ${resource.plural} namespaced=${resource.namespaced} verbs=${[...resource.verbs].sort().join(",")} subresources=${[...resource.subresources].sort().join(",")}`
          )
        // Create-only kinds (bindings, token and access reviews) have no list or get path in
        // the spec, so codegen gives them no descriptor: their groups and kinds are known gaps.
        assert.deepStrictEqual(
          groups.groups.map((group) => group.name).filter((name) => !registryGroups.has(name)),
          ["authentication.k8s.io", "authorization.k8s.io"]
        )
        assert.deepStrictEqual(
          served.filter((line) => !known.includes(line)),
          ["v1 Binding bindings namespaced=true verbs=create subresources="],
          "served kinds the registry lacks or describes differently"
        )
        // The v1.35.0 spec was generated with every API on; these sit behind the
        // MutatingAdmissionPolicy feature gate, off by default in 1.35.
        assert.deepStrictEqual(
          known.filter((line) => !served.includes(line)).map((line) => line.split(" ").slice(0, 2).join(" ")),
          [
            "admissionregistration.k8s.io/v1 MutatingAdmissionPolicy",
            "admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding"
          ],
          "registry descriptors the server does not serve that way"
        )
      })
  )
})
