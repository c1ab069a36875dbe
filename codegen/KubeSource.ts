/**
 * Reading OpenAPI documents from a live cluster through the project's own
 * client: the kubeconfig's server, CA, client certificate, token or exec
 * plugin apply, as for any other request (the global `fetch` of `Source.ts`
 * knows none of them). A location that is a path (`/openapi/v2`) resolves
 * against the kubeconfig's server.
 */
import { Effect, ManagedRuntime } from "effect"
import { HttpClientRequest } from "effect/http"
import * as Kube from "../src/client/Kube.js"
import { KubeClient } from "../src/client/KubeClient.js"
import type { FetchText } from "./Source.js"

const openapiCall = { verb: "get", resource: { group: "", version: "", plural: "openapi" } }

/** A cluster to read documents from; `dispose` closes its connections. */
export interface KubeSource {
  /** The location made absolute against the cluster's server when it is a path. */
  readonly resolve: (location: string) => Promise<string>
  readonly fetch: FetchText
  readonly dispose: () => Promise<void>
}

/** Reads from the cluster a kubeconfig file (kubectl's `--kubeconfig`) selects. */
export const fromKubeconfig = (path: string): KubeSource => {
  const runtime = ManagedRuntime.make(Kube.layer({ path }))
  const server = runtime.runPromise(KubeClient.use((client) => Effect.succeed(client.config.server)))
  return {
    resolve: async (location) => (location.startsWith("/") ? `${await server}${location}` : location),
    fetch: async (url) => {
      const base = await server
      if (!url.startsWith(base)) throw new Error(`${url} is not on the kubeconfig's server ${base}`)
      return runtime.runPromise(
        KubeClient.use((client) =>
          Effect.flatMap(
            client.send(
              HttpClientRequest.get(url.slice(base.length)).pipe(
                HttpClientRequest.setHeader("accept", "application/json")
              ),
              openapiCall
            ),
            (response) => Effect.orDie(response.text)
          )
        )
      )
    },
    dispose: () => runtime.dispose()
  }
}
