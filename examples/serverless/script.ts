/**
 * One module for Deno and Bun: `export default { fetch }`, which both serve
 * (`deno serve --allow-env --allow-net script.js`, `bun script.js`). It lists
 * pods and reads a ConfigMap through the fetch transport;
 * `GET /?namespace=default&configMap=settings` answers JSON, a missing
 * ConfigMap answers 404.
 *
 * Configured by the environment: `KUBE_SERVER`, `KUBE_TOKEN` and optionally
 * `KUBE_CA` (PEM) to trust a private certificate authority, which both
 * runtimes' fetch can do: Deno through `Deno.createHttpClient({ caCerts })`,
 * Bun through its `tls: { ca }` fetch option. The option is handed to every
 * request through `FetchHttpClient.RequestInit`.
 *
 * The runtime is built once at module scope and reused by every request.
 */
import { Layer, ManagedRuntime, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { KubeFetch } from "effect-kube/fetch"
import { answer, counted } from "./program.js"

/** The part of the `Deno` global this module uses. */
interface DenoGlobal {
  readonly env: { readonly get: (name: string) => string | undefined }
  readonly createHttpClient: (options: { readonly caCerts: ReadonlyArray<string> }) => unknown
}

const deno = (globalThis as { readonly Deno?: DenoGlobal }).Deno

const setting = (name: string): string | undefined => (deno === undefined ? process.env[name] : deno.env.get(name))

/** Fetch options with the TLS settings Bun (`tls`) and Deno (`client`) add to the standard ones. */
type RuntimeRequestInit = RequestInit & { readonly tls?: { readonly ca: string }; readonly client?: unknown }

/** The fetch option that makes this runtime trust `certificateAuthority`. */
const trusting = (certificateAuthority: string): RuntimeRequestInit =>
  deno === undefined
    ? { tls: { ca: certificateAuthority } }
    : { client: deno.createHttpClient({ caCerts: [certificateAuthority] }) }

const certificateAuthority = setting("KUBE_CA")

const runtime = ManagedRuntime.make(
  counted(
    Layer.merge(
      KubeFetch.layer({ server: setting("KUBE_SERVER") ?? "", token: Redacted.make(setting("KUBE_TOKEN") ?? "") }),
      Layer.succeed(
        FetchHttpClient.RequestInit,
        certificateAuthority === undefined ? {} : trusting(certificateAuthority)
      )
    )
  )
)

export default {
  async fetch(request: Request): Promise<Response> {
    const query = new URL(request.url).searchParams
    const result = await runtime.runPromise(
      answer({ namespace: query.get("namespace") ?? "default", configMap: query.get("configMap") ?? "settings" })
    )
    return Response.json(result.body, { status: result.status })
  }
}
