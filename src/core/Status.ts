/**
 * `Status`: the object the API server returns for failures (and for some
 * successful deletes). Its `reason` says what went wrong in a machine-readable
 * way; `code` mirrors the HTTP status; `details` names the object and, for
 * validation failures, lists the offending fields. The predicates here follow
 * client-go: compare the reason first and fall back to the code only when the
 * reason is unknown.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { openStruct } from "./internal/open.js"
import { ListMeta } from "./ObjectMeta.js"

/**
 * The reasons the API server uses (`metav1.StatusReason`).
 *
 * @category models
 */
export const knownReasons = [
  "Unknown",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "AlreadyExists",
  "Conflict",
  "Gone",
  "Invalid",
  "ServerTimeout",
  "StorageReadError",
  "Timeout",
  "TooManyRequests",
  "BadRequest",
  "MethodNotAllowed",
  "NotAcceptable",
  "RequestEntityTooLarge",
  "UnsupportedMediaType",
  "InternalError",
  "Expired",
  "ServiceUnavailable"
] as const

/** A reason the API server is known to send. */
export type KnownReason = (typeof knownReasons)[number]

/**
 * A `Status` reason: one of the known reasons, or any other string a newer
 * server might send (kept, never rejected).
 *
 * @category models
 */
export type Reason = KnownReason | (string & {})

/** The schema of a `Reason`: a known reason or any other string. @category schemas */
export const Reason: Schema.Codec<Reason> = Schema.Union([Schema.Literals(knownReasons), Schema.String])

/**
 * One cause of a failure, usually a field that failed validation.
 *
 * @category models
 */
export interface StatusCause {
  readonly reason?: string
  readonly message?: string
  readonly field?: string
}

/** The schema of `StatusCause`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const StatusCause: Schema.Codec<StatusCause> = openStruct({
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  field: Schema.optionalKey(Schema.String)
})

/**
 * Extra data about a failure: the object it concerns, its causes and a
 * suggested retry delay.
 *
 * @category models
 */
export interface StatusDetails {
  readonly name?: string
  readonly group?: string
  readonly kind?: string
  readonly uid?: string
  readonly causes?: ReadonlyArray<StatusCause>
  readonly retryAfterSeconds?: number
}

/** The schema of `StatusDetails`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const StatusDetails: Schema.Codec<StatusDetails> = openStruct({
  name: Schema.optionalKey(Schema.String),
  group: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  causes: Schema.optionalKey(Schema.Array(StatusCause)),
  retryAfterSeconds: Schema.optionalKey(Schema.Number)
})

/**
 * The `Status` object (`metav1.Status`).
 *
 * @category models
 */
export interface Status {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata?: ListMeta
  readonly status?: string
  readonly message?: string
  readonly reason?: Reason
  readonly details?: StatusDetails
  readonly code?: number
}

/** The schema of a `Status`: decodes it as it travels, keeping fields it does not declare. @category schemas */
export const Status: Schema.Codec<Status> = openStruct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(ListMeta),
  status: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  reason: Schema.optionalKey(Reason),
  details: Schema.optionalKey(StatusDetails),
  code: Schema.optionalKey(Schema.Number)
})

/**
 * Whether a decoded JSON value is a `Status` object (kind `Status`), as
 * opposed to some other body that happens to be JSON.
 *
 * @category guards
 */
export const isStatusObject = (value: unknown): value is Status =>
  typeof value === "object" && value !== null && "kind" in value && value.kind === "Status"

const codeOf: Record<KnownReason, number | undefined> = {
  Unknown: undefined,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  ServerTimeout: 500,
  StorageReadError: 500,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503
}

const isKnownReason = (reason: string): reason is KnownReason => Object.hasOwn(codeOf, reason)

/**
 * The reason of a Status, with client-go's fallback: an empty or unknown
 * reason is derived from the HTTP code where the code is unambiguous.
 *
 * @category accessors
 */
export const reasonOf = (status: Status): Reason => {
  const reason = status.reason
  if (reason !== undefined && reason !== "" && reason !== "Unknown" && isKnownReason(reason)) return reason
  switch (status.code) {
    case 400:
      return "BadRequest"
    case 401:
      return "Unauthorized"
    case 403:
      return "Forbidden"
    case 404:
      return "NotFound"
    case 405:
      return "MethodNotAllowed"
    case 406:
      return "NotAcceptable"
    case 409:
      return "Conflict"
    case 410:
      return "Gone"
    case 413:
      return "RequestEntityTooLarge"
    case 415:
      return "UnsupportedMediaType"
    case 422:
      return "Invalid"
    case 429:
      return "TooManyRequests"
    case 500:
      return "InternalError"
    case 503:
      return "ServiceUnavailable"
    case 504:
      return "Timeout"
    default:
      return reason !== undefined && reason !== "" ? reason : "Unknown"
  }
}

/** The HTTP code a known reason travels with, if it has exactly one. */
export const codeForReason = (reason: Reason): number | undefined =>
  isKnownReason(reason) ? codeOf[reason] : undefined

/** Whether the failure's reason is NotFound. @category predicates */
export const isNotFound = (status: Status): boolean => reasonOf(status) === "NotFound"
/** Whether the failure's reason is AlreadyExists. @category predicates */
export const isAlreadyExists = (status: Status): boolean => reasonOf(status) === "AlreadyExists"
/** Whether the failure's reason is Conflict. @category predicates */
export const isConflict = (status: Status): boolean => reasonOf(status) === "Conflict"
/** Whether the failure's reason is Invalid. @category predicates */
export const isInvalid = (status: Status): boolean => reasonOf(status) === "Invalid"
/** Whether the failure's reason is Forbidden. @category predicates */
export const isForbidden = (status: Status): boolean => reasonOf(status) === "Forbidden"
/** Whether the failure's reason is Unauthorized. @category predicates */
export const isUnauthorized = (status: Status): boolean => reasonOf(status) === "Unauthorized"
/** Gone or Expired: the resourceVersion or continue token is too old; relist. @category predicates */
export const isGone = (status: Status): boolean => {
  const reason = reasonOf(status)
  return reason === "Gone" || reason === "Expired"
}
/** Whether the failure's reason is TooManyRequests. @category predicates */
export const isTooManyRequests = (status: Status): boolean => reasonOf(status) === "TooManyRequests"

/**
 * The delay the server suggests before retrying, in seconds, when it gave one
 * (`details.retryAfterSeconds` > 0).
 *
 * @category accessors
 */
export const retryAfterSeconds = (status: Status): number | undefined => {
  const seconds = status.details?.retryAfterSeconds
  return seconds !== undefined && seconds > 0 ? seconds : undefined
}

/**
 * A `Status` built from an HTTP code when the server's error body was not a
 * Status (a proxy's HTML page, an empty 401): the reason is derived from the
 * code as client-go does, with 409 on a create meaning AlreadyExists.
 *
 * @category constructors
 */
export const fromCode = (code: number, message: string, method?: string): Status => {
  const reason: Reason = code === 409 && method === "POST" ? "AlreadyExists" : reasonOf({ code })
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message }
}
