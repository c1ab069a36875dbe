/**
 * A fetch-transport client configured by a kubeconfig given as text (a
 * Worker secret, an environment variable): the selected cluster's server and
 * an inline bearer token. What needs the Node transport (a custom
 * certificate authority, client certificates, token files, exec plugins,
 * basic authentication, impersonation) fails with a `KubeConfigError`
 * (reason `Unsupported`) that says so. Apart from `KubeFetch` because it
 * pulls in the YAML parser.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Redacted } from "effect"
import { bearerToken, ClusterConfig, type ClusterConfiguration, explicit, noCredentials } from "./ClusterConfig.js"
import type * as KubeClient from "./KubeClient.js"
import * as KubeConfig from "./KubeConfig.js"
import { KubeConfigError } from "./KubeError.js"
import * as KubeFetch from "./KubeFetch.js"

const unsupported = (user: string, what: string) =>
  new KubeConfigError({
    reason: "Unsupported",
    entry: `user "${user}"`,
    detail: `${what} needs the Node transport (Kube.layer); fetch runtimes take an inline token`
  })

/**
 * Resolves a kubeconfig text for fetch: the selected cluster's server and an
 * inline token only.
 *
 * @category resolving
 */
export const resolve = (
  text: string,
  overrides: KubeConfig.Overrides = {}
): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.gen(function* () {
    const parsed = yield* Effect.fromResult(KubeConfig.parse(text))
    const selection = yield* Effect.fromResult(KubeConfig.select(KubeConfig.merge([parsed]), overrides))
    const cluster = selection.cluster.value
    if (
      (cluster["certificate-authority-data"] ?? cluster["certificate-authority"] ?? "") !== "" ||
      cluster["insecure-skip-tls-verify"] === true
    )
      return yield* Effect.fail(
        new KubeConfigError({
          reason: "Unsupported",
          entry: `cluster "${selection.cluster.name}"`,
          detail: "a custom certificate authority or insecure-skip-tls-verify needs the Node transport (Kube.layer)"
        })
      )
    const clusterUnsupported = (what: string) =>
      new KubeConfigError({
        reason: "Unsupported",
        entry: `cluster "${selection.cluster.name}"`,
        detail: `${what} needs the Node transport (Kube.layer)`
      })
    if ((cluster["proxy-url"] ?? "") !== "") return yield* Effect.fail(clusterUnsupported("a proxy-url"))
    if ((cluster["tls-server-name"] ?? "") !== "") return yield* Effect.fail(clusterUnsupported("a tls-server-name"))
    const user = selection.user
    let credentials = noCredentials
    if (user !== undefined) {
      const value = user.value
      if ((value.tokenFile ?? "") !== "") return yield* Effect.fail(unsupported(user.name, "a token file"))
      if (value.exec !== null && value.exec !== undefined)
        return yield* Effect.fail(unsupported(user.name, "an exec plugin"))
      if ((value["client-certificate-data"] ?? value["client-certificate"] ?? "") !== "")
        return yield* Effect.fail(unsupported(user.name, "a client certificate"))
      if ((value.username ?? value.password ?? "") !== "")
        return yield* Effect.fail(unsupported(user.name, "basic authentication"))
      if ((value.token ?? "") !== "") credentials = bearerToken(Redacted.make(value.token ?? ""))
      if ((value.as ?? "") !== "") return yield* Effect.fail(unsupported(user.name, "impersonation"))
    }
    return {
      ...explicit({ server: cluster.server ?? "", namespace: selection.namespace }),
      credentials,
      source: "kubeconfig" as const,
      description: `context ${selection.contextName}`
    }
  })

/**
 * A client configured by a kubeconfig text (an inline token, no files).
 *
 * @category layers
 */
export const layer = (
  text: string,
  options: KubeConfig.Overrides & { readonly client?: KubeClient.Options } = {}
): Layer.Layer<KubeClient.KubeClient | ClusterConfig, KubeConfigError> =>
  KubeFetch.layerWith(Layer.effect(ClusterConfig, resolve(text, options)), options.client)
