/**
 * An AWS Lambda handler (Node runtime) behind an API Gateway proxy
 * integration: lists pods and reads a ConfigMap, `?namespace=…&configMap=…`;
 * a missing ConfigMap answers 404.
 *
 * Configured by the environment: `KUBE_SERVER`, `KUBE_TOKEN` and optionally
 * `KUBE_CA` (PEM). Without a CA it uses the fetch transport, the lightest;
 * with one (an EKS cluster's own CA, say) it uses the Node transport, which
 * also does client certificates and proxies.
 *
 * The runtime is built once per Lambda instance, at module scope, and reused
 * by every invocation the instance serves.
 */
import { Layer, ManagedRuntime, Redacted } from "effect"
import { ClusterConfig, KubeClient, KubeFetch, NodeTransport } from "effect-kube"
import { answer, counted } from "./program.js"

/** The fields of an API Gateway proxy event this handler reads. */
export interface ProxyEvent {
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null
}

/** An API Gateway proxy result. */
export interface ProxyResult {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const server = process.env.KUBE_SERVER ?? ""
const token = Redacted.make(process.env.KUBE_TOKEN ?? "")
const certificateAuthority = process.env.KUBE_CA

const clientLayer =
  certificateAuthority === undefined
    ? KubeFetch.layer({ server, token })
    : KubeClient.layer().pipe(
        Layer.provide(NodeTransport.layer()),
        Layer.provideMerge(ClusterConfig.layerExplicit({ server, token, certificateAuthority }))
      )

const runtime = ManagedRuntime.make(counted(clientLayer))

/** The Lambda entry point. */
export const handler = async (event: ProxyEvent, _context: unknown): Promise<ProxyResult> => {
  const query = event.queryStringParameters ?? {}
  const result = await runtime.runPromise(
    answer({ namespace: query.namespace ?? "default", configMap: query.configMap ?? "settings" })
  )
  return {
    statusCode: result.status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(result.body)
  }
}
