/**
 * Authentication and authorization as users meet them: a user without
 * permissions gets a typed 403 Forbidden, an unknown token a typed 401
 * Unauthorized; a client certificate and an exec credential plugin
 * authenticate through the project's kubeconfig loader.
 */
import { join } from "node:path"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SelfSubjectReview } from "../../src/api/authentication/v1.js"
import { ConfigMap, Namespace } from "../../src/api/core/v1.js"
import * as Api from "../../src/client/Api.js"
import * as Resource from "../../src/core/Resource.js"
import { conformanceLayer, expectApiError, kubeconfigClient, TestNamespace } from "./support.js"
import { target } from "./target.js"

// Create-only kinds have no generated descriptor (the spec gives them no list or get path).
const SelfSubjectReviews = Resource.make({
  group: "authentication.k8s.io",
  version: "v1",
  kind: "SelfSubjectReview",
  plural: "selfsubjectreviews",
  namespaced: false,
  schema: SelfSubjectReview
})

const plugin = join(import.meta.dirname, "../fixtures/exec-plugin.mjs")

/** A kubeconfig for the target's server and CA whose user is given by `user` (YAML lines under `user:`). */
const kubeconfigWithUser = (user: string): string => {
  const admin = target.kubeconfigs.admin
  const authority = /certificate-authority-data: (\S+)/.exec(admin)?.[1] ?? ""
  return `apiVersion: v1
kind: Config
current-context: conformance
clusters:
- name: conformance
  cluster:
    server: ${target.server}
    certificate-authority-data: ${authority}
users:
- name: conformance
  user:
${user}
contexts:
- name: conformance
  context: { cluster: conformance, user: conformance, namespace: default }
`
}

layer(conformanceLayer("auth"), { excludeTestServices: true })("authentication and authorization", (it) => {
  it.effect("a user without permissions gets a typed 403 Forbidden naming the user, verb and resource", () =>
    Effect.gen(function* () {
      const { name: namespace } = yield* TestNamespace
      const restricted = kubeconfigClient(target.kubeconfigs.restricted)
      const listing = yield* expectApiError(
        Effect.flatMap(Api.namespaced(ConfigMap, namespace), (api) => api.list()).pipe(Effect.provide(restricted))
      )
      assert.strictEqual(listing.code, 403)
      assert.isTrue(listing.isForbidden)
      assert.strictEqual(listing.status.details?.kind, "configmaps")
      assert.strictEqual(
        listing.status.message,
        `configmaps is forbidden: User "restricted" cannot list resource "configmaps" in API group "" in the namespace "${namespace}"`
      )
      const creating = yield* expectApiError(
        Effect.flatMap(Api.namespaced(ConfigMap, namespace), (api) => api.create({ metadata: { name: "x" } })).pipe(
          Effect.provide(restricted)
        )
      )
      assert.isTrue(creating.isForbidden)
      assert.strictEqual(
        creating.status.message,
        `configmaps is forbidden: User "restricted" cannot create resource "configmaps" in API group "" in the namespace "${namespace}"`
      )
      const clusterScoped = yield* expectApiError(
        Effect.flatMap(Api.cluster(Namespace), (api) => api.list()).pipe(Effect.provide(restricted))
      )
      assert.strictEqual(
        clusterScoped.status.message,
        `namespaces is forbidden: User "restricted" cannot list resource "namespaces" in API group "" at the cluster scope`
      )
    })
  )

  it.effect("an unknown token gets a typed 401 Unauthorized", () =>
    Effect.gen(function* () {
      const error = yield* expectApiError(
        Effect.flatMap(Api.cluster(Namespace), (api) => api.list()).pipe(
          Effect.provide(kubeconfigClient(kubeconfigWithUser("    token: not-a-known-token")))
        )
      )
      assert.strictEqual(error.code, 401)
      assert.isTrue(error.isUnauthorized)
      assert.strictEqual(error.status.message, "Unauthorized")
    })
  )

  it.effect("an exec credential plugin's token authenticates", () =>
    Effect.gen(function* () {
      const kubeconfig = kubeconfigWithUser(`    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${plugin}
      interactiveMode: Never
      env:
      - { name: PLUGIN_FIXED_TOKEN, value: "${target.adminToken}" }`)
      const { name: namespace } = yield* TestNamespace
      const found = yield* Effect.flatMap(Api.cluster(Namespace), (api) => api.get(namespace)).pipe(
        Effect.provide(kubeconfigClient(kubeconfig))
      )
      assert.strictEqual(found.metadata?.name, namespace)
    })
  )

  it.effect.skipIf(target.differs("client-certificates"))("a client certificate authenticates as its subject", () =>
    Effect.gen(function* () {
      const review = yield* Effect.flatMap(Api.cluster(SelfSubjectReviews), (api) => api.create({})).pipe(
        Effect.provide(kubeconfigClient(target.kubeconfigs.cert ?? ""))
      )
      assert.strictEqual(review.status?.userInfo?.username, "cert-user")
      assert.include(review.status?.userInfo?.groups ?? [], "system:masters")
      assert.include(review.status?.userInfo?.groups ?? [], "system:authenticated")
    })
  )
})
