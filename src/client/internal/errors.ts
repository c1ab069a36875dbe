/**
 * Turning HTTP outcomes into the typed errors of `KubeError`: transport
 * failures into `KubeNetworkError` (classified by the error code Node or
 * undici reports), error responses into `KubeApiError` (a `Status` body) or
 * `KubeHttpError` (anything else), schema failures into `KubeDecodeError`
 * with a Kubernetes-style field path.
 *
 * @internal
 */
import { Duration, Result, Schema, SchemaIssue } from "effect"
import type { HttpClientError } from "effect/http"
import { Headers } from "effect/http"
import * as Status from "../../core/Status.js"
import {
  KubeApiError,
  KubeDecodeError,
  KubeHttpError,
  KubeNetworkError,
  type NetworkReason,
  redactUrl
} from "../KubeError.js"

/** The request an error is about: method and already-redacted URL. */
export interface RequestLabel {
  readonly method: string
  readonly url: string
}

/** Labels a request for errors, redacting its URL once. */
export const labelOf = (method: string, url: string): RequestLabel => ({ method, url: redactUrl(url) })

const codeOf = (cause: unknown, depth = 0): string | undefined => {
  if (depth > 4 || typeof cause !== "object" || cause === null) return undefined
  if ("code" in cause && typeof cause.code === "string") return cause.code
  if ("errors" in cause && Array.isArray(cause.errors)) {
    for (const inner of cause.errors) {
      const code = codeOf(inner, depth + 1)
      if (code !== undefined) return code
    }
  }
  return "cause" in cause ? codeOf(cause.cause, depth + 1) : undefined
}

const messageOf = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "transport failure"

const tlsCode = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_OSSL|HOSTNAME_MISMATCH|ERR_TLS_CERT)/

/** Classifies a transport error code. */
export const networkReason = (code: string | undefined, message: string): NetworkReason => {
  if (code === undefined) {
    if (/certificate|tls|ssl/i.test(message)) return "Tls"
    if (/timed? ?out/i.test(message)) return "Timeout"
    return "Other"
  }
  if (code === "ECONNREFUSED") return "ConnectionRefused"
  if (["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED"].includes(code))
    return "ConnectionReset"
  if (["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME"].includes(code)) return "DnsLookup"
  if (["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"].includes(code))
    return "Timeout"
  if (tlsCode.test(code)) return "Tls"
  return "Other"
}

/** A transport failure as a `KubeNetworkError`. */
export const fromTransport = (label: RequestLabel, error: HttpClientError.HttpClientError): KubeNetworkError => {
  const cause = error.reason._tag === "TransportError" ? error.reason.cause : error.reason
  const code = codeOf(cause)
  const message = messageOf(cause)
  return new KubeNetworkError({
    ...label,
    reason: networkReason(code, message),
    detail: code === undefined ? message : `${code}: ${message}`
  })
}

/** A request that took longer than its timeout. */
export const timedOut = (label: RequestLabel, timeout: Duration.Duration): KubeNetworkError =>
  new KubeNetworkError({ ...label, reason: "Timeout", detail: `no answer within ${Duration.format(timeout)}` })

const excerptLength = 512

const decodeStatus = Schema.decodeUnknownResult(Status.Status)

/** The `Retry-After` header in milliseconds, when present and parseable. */
export const retryAfterMillis = (headers: Headers.Headers, now: number): number | undefined => {
  const value = headers["retry-after"]
  if (value === undefined) return undefined
  const parsed = Headers.parseRetryAfter(value)
  return Result.isSuccess(parsed) ? Duration.toMillis(Headers.retryAfterDelay(parsed.success, now)) : undefined
}

/**
 * An error response (status ≥ 400) as `KubeApiError` when its body is a
 * `Status`, otherwise `KubeHttpError` with an excerpt of the body.
 */
export const fromErrorResponse = (
  label: RequestLabel,
  code: number,
  headers: Headers.Headers,
  body: string,
  now: number
): KubeApiError | KubeHttpError => {
  const contentType = headers["content-type"]
  if (contentType === undefined || contentType.includes("json")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      parsed = undefined
    }
    if (Status.isStatusObject(parsed)) {
      const status = decodeStatus(parsed)
      if (Result.isSuccess(status)) {
        const retryAfter = retryAfterMillis(headers, now)
        return new KubeApiError({
          ...label,
          status: status.success,
          code,
          ...(retryAfter === undefined ? {} : { retryAfterMillis: retryAfter })
        })
      }
    }
  }
  return new KubeHttpError({
    ...label,
    code,
    ...(contentType === undefined ? {} : { contentType }),
    bodyExcerpt: body.slice(0, excerptLength)
  })
}

/** A 2xx body that is not of the expected content type. */
export const unexpectedContentType = (
  label: RequestLabel,
  code: number,
  contentType: string | undefined,
  body: string
): KubeHttpError =>
  new KubeHttpError({
    ...label,
    code,
    ...(contentType === undefined ? {} : { contentType }),
    bodyExcerpt: body.slice(0, excerptLength)
  })

/**
 * A schema issue path in Kubernetes' notation: `spec.containers[0].ports[0].containerPort`.
 */
export const kubernetesPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((text, segment) => {
    if (typeof segment === "number") return `${text}[${segment}]`
    const key = String(segment)
    return /^[A-Za-z_$][\w$-]*$/.test(key) ? (text === "" ? key : `${text}.${key}`) : `${text}[${JSON.stringify(key)}]`
  }, "")

const standardIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** A schema failure as `KubeDecodeError`, naming the first offending field. */
export const fromSchemaError = (
  label: RequestLabel,
  error: Schema.SchemaError,
  prefix: ReadonlyArray<PropertyKey> = []
) => {
  const issues = standardIssues(error.issue).issues
  const first = issues[0]
  const path = kubernetesPath([
    ...prefix,
    ...(first?.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))
  ])
  const detail = issues
    .slice(0, 5)
    .map((issue) => {
      const where = kubernetesPath([
        ...prefix,
        ...(issue.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))
      ])
      return where === "" ? issue.message : `${where}: ${issue.message}`
    })
    .join("; ")
  return new KubeDecodeError({ ...label, reason: "SchemaMismatch", path, detail })
}

/** A body that is not JSON. */
export const notJson = (label: RequestLabel, error: unknown, body: string): KubeDecodeError =>
  new KubeDecodeError({
    ...label,
    reason: "NotJson",
    path: "",
    detail: `${error instanceof Error ? error.message : "invalid JSON"} (body starts with ${JSON.stringify(body.slice(0, 80))})`
  })
