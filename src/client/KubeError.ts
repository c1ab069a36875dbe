/**
 * The typed failures of a Kubernetes API call. The errors of a sent request
 * carry its method and a redacted URL so a log line says which call failed
 * (`KubeConfigError` names the file and entry instead, `KubeRequestError` the
 * field), and none carries a credential: tokens, passwords and keys never
 * reach `message`, `toString` or `toJSON`.
 *
 * - `KubeApiError`: the server answered 4xx/5xx with a `Status` (NotFound,
 *   Conflict, Expired, ...).
 * - `KubeHttpError`: a 4xx/5xx without a Status body (a proxy's HTML 502), or
 *   an unexpected content type.
 * - `KubeNetworkError`: the request never got an answer (refused, reset, DNS,
 *   TLS, timeout).
 * - `KubeDecodeError`: the body is not JSON, or does not match the schema.
 * - `KubeConfigError`: the kubeconfig, in-cluster files or credentials could
 *   not be resolved (including a failing exec plugin).
 * - `KubeRequestError`: the request was invalid and never sent (from the core).
 *
 * @since 0.1.0
 */
import { Duration, Schema } from "effect"
import { KubeRequestError } from "../core/KubeRequestError.js"
import * as Status from "../core/Status.js"

export { KubeRequestError }

/**
 * Strips what must never be logged from a URL: user info and the values of
 * query parameters that could carry a secret.
 *
 * @category utils
 */
export const redactUrl = (url: string): string => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//")
  }
  parsed.username = ""
  parsed.password = ""
  for (const key of [...parsed.searchParams.keys()]) {
    if (/token|password|secret|key/i.test(key)) parsed.searchParams.set(key, "REDACTED")
  }
  return parsed.toString()
}

/**
 * The server rejected the request with a `Status`.
 *
 * @category errors
 */
export class KubeApiError extends Schema.TaggedError<KubeApiError>()("KubeApiError", {
  method: Schema.String,
  url: Schema.String,
  /** The Status body as the server sent it. */
  status: Status.Status,
  /** The HTTP status code of the response (for an in-stream watch ERROR, the Status code). */
  code: Schema.Number,
  /** The delay a `Retry-After` header asked for, in milliseconds, if any. */
  retryAfterMillis: Schema.optionalKey(Schema.Number)
}) {
  /** The reason, derived from the code when the server gave none (client-go's rule). */
  get reason(): Status.Reason {
    return Status.reasonOf({ ...this.status, code: this.status.code ?? this.code })
  }
  /** The delay the server asked for before a retry (header or `retryAfterSeconds`). */
  get retryAfter(): Duration.Duration | undefined {
    if (this.retryAfterMillis !== undefined) return Duration.millis(this.retryAfterMillis)
    const seconds = Status.retryAfterSeconds(this.status)
    return seconds === undefined ? undefined : Duration.seconds(seconds)
  }
  get isNotFound(): boolean {
    return this.reason === "NotFound"
  }
  get isAlreadyExists(): boolean {
    return this.reason === "AlreadyExists"
  }
  get isConflict(): boolean {
    return this.reason === "Conflict"
  }
  get isInvalid(): boolean {
    return this.reason === "Invalid"
  }
  get isForbidden(): boolean {
    return this.reason === "Forbidden"
  }
  get isUnauthorized(): boolean {
    return this.reason === "Unauthorized"
  }
  /** Gone or Expired: a resourceVersion or continue token too old to serve. */
  get isGone(): boolean {
    return this.reason === "Gone" || this.reason === "Expired"
  }
  get isTooManyRequests(): boolean {
    return this.reason === "TooManyRequests"
  }
  override get message(): string {
    const text = this.status.message !== undefined && this.status.message !== "" ? `: ${this.status.message}` : ""
    return `${this.method} ${this.url}: ${this.code} ${this.reason}${text}`
  }
}

/**
 * A 4xx/5xx response without a `Status` body, or a body of an unexpected
 * content type. Keeps a short excerpt of the body for diagnosis.
 *
 * @category errors
 */
export class KubeHttpError extends Schema.TaggedError<KubeHttpError>()("KubeHttpError", {
  method: Schema.String,
  url: Schema.String,
  code: Schema.Number,
  contentType: Schema.optionalKey(Schema.String),
  /** At most the first 512 characters of the body. */
  bodyExcerpt: Schema.String
}) {
  override get message(): string {
    return `${this.method} ${this.url}: HTTP ${this.code}${this.contentType === undefined ? "" : ` (${this.contentType})`}: ${this.bodyExcerpt.slice(0, 200)}`
  }
}

/**
 * Why a request got no answer.
 *
 * @category models
 */
export type NetworkReason = "ConnectionRefused" | "ConnectionReset" | "DnsLookup" | "Tls" | "Timeout" | "Other"

/**
 * The request got no HTTP answer: connection refused or reset, DNS failure,
 * TLS handshake failure (wrong CA, missing client certificate), or timeout.
 *
 * @category errors
 */
export class KubeNetworkError extends Schema.TaggedError<KubeNetworkError>()("KubeNetworkError", {
  method: Schema.String,
  url: Schema.String,
  reason: Schema.Literals(["ConnectionRefused", "ConnectionReset", "DnsLookup", "Tls", "Timeout", "Other"]),
  /** The transport's own description (an error code such as `ECONNREFUSED`), never a credential. */
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.method} ${this.url}: ${this.reason}: ${this.detail}`
  }
}

/**
 * A 2xx body that could not be used: not JSON, not matching the schema, or a
 * watch line longer than the configured maximum.
 *
 * @category errors
 */
export class KubeDecodeError extends Schema.TaggedError<KubeDecodeError>()("KubeDecodeError", {
  method: Schema.String,
  url: Schema.String,
  reason: Schema.Literals(["NotJson", "SchemaMismatch", "LineTooLong"]),
  /** The path of the offending field, Kubernetes style (`spec.containers[0].ports[0].containerPort`); empty for the whole body. */
  path: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.method} ${this.url}: ${this.reason}${this.path === "" ? "" : ` at ${this.path}`}: ${this.detail}`
  }
}

/**
 * What went wrong while resolving configuration or credentials.
 *
 * @category models
 */
export type ConfigReason =
  | "NoConfiguration"
  | "FileUnreadable"
  | "Malformed"
  | "MissingContext"
  | "MissingCluster"
  | "MissingUser"
  | "Invalid"
  | "ExecPluginFailed"
  | "TokenUnreadable"
  | "Unsupported"

/**
 * The configuration or credentials could not be resolved: a malformed or
 * missing kubeconfig, a missing context/cluster/user, an invalid combination
 * (a CA with insecure-skip-tls-verify), an unreadable token file, a failing
 * exec plugin. Names the file and entry; never includes a secret.
 *
 * @category errors
 */
export class KubeConfigError extends Schema.TaggedError<KubeConfigError>()("KubeConfigError", {
  reason: Schema.Literals([
    "NoConfiguration",
    "FileUnreadable",
    "Malformed",
    "MissingContext",
    "MissingCluster",
    "MissingUser",
    "Invalid",
    "ExecPluginFailed",
    "TokenUnreadable",
    "Unsupported"
  ]),
  /** The file concerned, when there is one. */
  file: Schema.optionalKey(Schema.String),
  /** The entry concerned (`context "dev"`, `user "admin"`, `exec plugin aws`). */
  entry: Schema.optionalKey(Schema.String),
  detail: Schema.String
}) {
  override get message(): string {
    const where = [this.file, this.entry].filter((part) => part !== undefined).join(", ")
    return `${this.reason}${where === "" ? "" : ` (${where})`}: ${this.detail}`
  }
}

/**
 * Any failure of a Kubernetes API call.
 *
 * @category models
 */
export type KubeError =
  | KubeApiError
  | KubeHttpError
  | KubeNetworkError
  | KubeDecodeError
  | KubeConfigError
  | KubeRequestError
