/**
 * What every serverless example does, whatever the runtime: list the pods of
 * a namespace, read one ConfigMap, and turn the outcome into an HTTP-shaped
 * answer — a missing ConfigMap is a typed `NotFound` that becomes a 404, any
 * other failure a 502 naming the error. The runtime files (worker.ts,
 * lambda.ts, script.ts) only wire configuration and the transport, and build
 * one `ManagedRuntime` that every invocation reuses.
 */
import { Effect, Layer } from "effect"
import { ConfigMap, Pod } from "effect-kube/api/core/v1"
import { Api, type KubeError } from "effect-kube/fetch"

/** What an invocation asks for. */
export interface Question {
  readonly namespace: string
  readonly configMap: string
}

/** What an invocation answers: an HTTP status and a JSON body. */
export interface Answer {
  readonly status: number
  readonly body: {
    readonly pods?: ReadonlyArray<string>
    readonly configMap?: { readonly name: string; readonly data: Readonly<Record<string, string>> }
    readonly error?: { readonly tag: string; readonly reason?: string; readonly message: string }
    /** How many times this module built its client layer, and how many invocations it has served. */
    readonly runtime: { readonly builds: number; readonly invocation: number }
  }
}

let builds = 0
let invocations = 0

/**
 * Wraps the client layer so the answers can show it is built once per
 * module instance, however many invocations reuse it.
 */
export const counted = <A, E, R>(layer: Layer.Layer<A, E, R>): Layer.Layer<A, E, R> =>
  layer.pipe(
    Layer.tap(() =>
      Effect.sync(() => {
        builds++
      })
    )
  )

const describe = (error: KubeError): NonNullable<Answer["body"]["error"]> =>
  error._tag === "KubeApiError"
    ? { tag: error._tag, reason: error.reason, message: error.message }
    : { tag: error._tag, message: error.message }

/** Lists the pods and reads the ConfigMap; never fails, the failure is in the answer. */
export const answer = (question: Question) =>
  Effect.gen(function* () {
    const invocation = ++invocations
    const pods = yield* Api.namespaced(Pod, question.namespace)
    const configMaps = yield* Api.namespaced(ConfigMap, question.namespace)
    const outcome = yield* Effect.gen(function* () {
      const list = yield* pods.list()
      const configMap = yield* configMaps.get(question.configMap)
      return {
        status: 200,
        pods: list.items.map((pod) => pod.metadata?.name ?? ""),
        configMap: { name: question.configMap, data: configMap.data ?? {} }
      }
    }).pipe(
      Effect.catchTag("KubeApiError", (error) =>
        error.isNotFound ? Effect.succeed({ status: 404, error: describe(error) }) : Effect.fail(error)
      ),
      Effect.catch((error: KubeError) => Effect.succeed({ status: 502, error: describe(error) }))
    )
    const { status, ...body } = outcome
    return { status, body: { ...body, runtime: { builds, invocation } } } satisfies Answer
  })
