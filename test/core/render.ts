/**
 * Test helper: turns a built request into a plain value (method, path with
 * query, headers, parsed JSON body) so tests compare it exactly.
 */
import { Result } from "effect"
import { UrlParams } from "effect/http"
import type * as Request from "../../src/core/Request.js"

export interface Rendered {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body?: unknown
}

const decoder = new TextDecoder()

/** Renders a successfully built request; throws with the error message otherwise. */
export const render = (built: Request.Built): Rendered => {
  if (Result.isFailure(built)) throw new Error(`expected a request, got ${built.failure.message}`)
  const request = built.success
  const query = UrlParams.toString(request.urlParams)
  const headers: Record<string, string> = { ...request.headers }
  const body = request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : undefined
  return {
    method: request.method,
    url: query === "" ? request.url : `${request.url}?${query}`,
    headers,
    ...(body === undefined ? {} : { body: JSON.parse(body) })
  }
}

/** The failure of a build that must fail: `field: detail`. */
export const failure = (built: Request.Built): string => {
  if (Result.isSuccess(built)) throw new Error(`expected a failure, got ${built.success.method} ${built.success.url}`)
  return `${built.failure.field}: ${built.failure.detail}`
}
