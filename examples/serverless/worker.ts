/**
 * A Cloudflare Worker (module syntax) that lists pods and reads a ConfigMap
 * through the fetch transport. `GET /?namespace=default&configMap=settings`
 * answers JSON; a missing ConfigMap answers 404.
 *
 * Configured by the bindings `KUBE_SERVER` and `KUBE_TOKEN` (a secret). workerd
 * has no way to trust a custom certificate authority from code: the API server
 * must present a certificate the platform trusts (or be reached over a
 * tunnel/gateway that does).
 *
 * One runtime per isolate: `env` is only handed to `fetch`, so the runtime is
 * built on the first request and kept at module scope for every later one.
 */
import { ManagedRuntime, Redacted } from "effect"
import { KubeFetch } from "effect-kube/fetch"
import { answer, counted } from "./program.js"

/** The Worker's bindings. */
export interface Env {
  readonly KUBE_SERVER: string
  readonly KUBE_TOKEN: string
}

const makeRuntime = (env: Env) =>
  ManagedRuntime.make(counted(KubeFetch.layer({ server: env.KUBE_SERVER, token: Redacted.make(env.KUBE_TOKEN) })))

let runtime: ReturnType<typeof makeRuntime> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    runtime ??= makeRuntime(env)
    const query = new URL(request.url).searchParams
    const result = await runtime.runPromise(
      answer({ namespace: query.get("namespace") ?? "default", configMap: query.get("configMap") ?? "settings" })
    )
    return Response.json(result.body, { status: result.status })
  }
}
