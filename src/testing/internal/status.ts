/**
 * The `Status` failures FakeKube answers with, worded as kube-apiserver 1.35
 * words them (apimachinery's `api/errors` and `util/validation/field`), so a
 * client's error handling sees the same reason, code, message and details
 * from FakeKube as from a real cluster.
 *
 * Request handling is synchronous code over in-memory state; a failure is
 * thrown as a `StatusFailure` and turned into the response at the handler's
 * boundary, so no partial write can follow it.
 */
import type { ResourceType } from "./resourceTypes.js"

/** A `Status` body. */
export interface StatusBody {
  readonly kind: "Status"
  readonly apiVersion: "v1"
  readonly metadata: { readonly resourceVersion?: string; readonly continue?: string }
  readonly status: "Failure" | "Success"
  readonly message?: string
  readonly reason?: string
  readonly details?: StatusDetails
  readonly code: number
}

/** The details of a `Status`. */
export interface StatusDetails {
  readonly name?: string
  readonly group?: string
  readonly kind?: string
  readonly uid?: string
  readonly causes?: ReadonlyArray<Cause>
  readonly retryAfterSeconds?: number
}

/** One cause of a failure. */
export interface Cause {
  readonly reason: string
  readonly message: string
  readonly field?: string
}

/** A failure to answer with; thrown inside the handler, caught at its boundary. */
export class StatusFailure extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message)
  }
}

/** A failure with the given code, reason, message and details; the named constructors below cover the common ones. */
export const failure = (code: number, reason: string, message: string, details?: StatusDetails): StatusFailure =>
  new StatusFailure({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code
  })

/** `pods` or `deployments.apps`: a group-qualified resource, as messages show it. */
const groupResource = (type: Pick<ResourceType, "group" | "plural">): string =>
  type.group === "" ? type.plural : `${type.plural}.${type.group}`

/** `Pod` or `Deployment.apps`: a group-qualified kind, as validation messages show it. */
const groupKind = (type: Pick<ResourceType, "group" | "kind">): string =>
  type.group === "" ? type.kind : `${type.kind}.${type.group}`

const resourceDetails = (type: Pick<ResourceType, "group" | "plural">, name: string): StatusDetails => ({
  ...(name === "" ? {} : { name }),
  ...(type.group === "" ? {} : { group: type.group }),
  kind: type.plural
})

/** 404 `pods "x" not found`. */
export const notFound = (type: Pick<ResourceType, "group" | "plural">, name: string): StatusFailure =>
  failure(404, "NotFound", `${groupResource(type)} "${name}" not found`, resourceDetails(type, name))

/** 404 for a path that names nothing the server serves. */
export const pathNotFound = (): StatusFailure =>
  failure(404, "NotFound", "the server could not find the requested resource", {})

/** 409 `configmaps "a" already exists`. */
export const alreadyExists = (type: Pick<ResourceType, "group" | "plural">, name: string): StatusFailure =>
  failure(409, "AlreadyExists", `${groupResource(type)} "${name}" already exists`, resourceDetails(type, name))

/** The message of a stale `resourceVersion` on a write. */
export const modifiedMessage =
  "the object has been modified; please apply your changes to the latest version and try again"

/** 409 `Operation cannot be fulfilled on configmaps "a": …`. */
export const conflict = (type: Pick<ResourceType, "group" | "plural">, name: string, detail: string): StatusFailure =>
  failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${groupResource(type)} "${name}": ${detail}`,
    resourceDetails(type, name)
  )

/** 409 for a failed delete precondition, which the server words with the kind (`ConfigMap "a"`). */
export const preconditionFailed = (type: ResourceType, name: string, detail: string): StatusFailure =>
  failure(409, "Conflict", `Operation cannot be fulfilled on ${groupKind(type)} "${name}": ${detail}`, {
    name,
    ...(type.group === "" ? {} : { group: type.group }),
    kind: type.kind
  })

/** One invalid field, as `field.Error`. */
export interface FieldError {
  readonly type: "Required" | "Invalid" | "Forbidden" | "NotSupported" | "Duplicate" | "TypeInvalid" | "TooLong"
  readonly field: string
  readonly value?: unknown
  readonly detail?: string
}

const causeReasons: Record<FieldError["type"], string> = {
  Required: "FieldValueRequired",
  Invalid: "FieldValueInvalid",
  Forbidden: "FieldValueForbidden",
  NotSupported: "FieldValueNotSupported",
  Duplicate: "FieldValueDuplicate",
  TypeInvalid: "FieldValueTypeInvalid",
  TooLong: "FieldValueTooLong"
}

/** A bad value as field errors print it: JSON (1.35 prints maps and lists as JSON, not Go's `%#v`). */
const goValue = (value: unknown): string => (value === undefined ? "null" : JSON.stringify(value))

const withDetail = (text: string, detail: string | undefined) =>
  detail === undefined || detail === "" ? text : `${text}: ${detail}`

/** The body of a field error (`Required value`, `Invalid value: "x": reason`). */
const fieldErrorBody = (error: FieldError): string => {
  switch (error.type) {
    case "Required":
      return withDetail("Required value", error.detail)
    case "Forbidden":
      return withDetail("Forbidden", error.detail)
    case "Duplicate":
      return `Duplicate value: ${goValue(error.value)}`
    case "NotSupported":
      return withDetail(`Unsupported value: ${goValue(error.value)}`, error.detail)
    case "TooLong":
      return withDetail("Too long", error.detail)
    case "Invalid":
    case "TypeInvalid":
      return withDetail(`Invalid value: ${goValue(error.value)}`, error.detail)
  }
}

/** 422 `Pod "p" is invalid: spec.containers: Required value`, with one cause per field error. */
export const invalid = (
  type: Pick<ResourceType, "group" | "kind">,
  name: string,
  errors: ReadonlyArray<FieldError>
): StatusFailure => {
  const texts = errors.map((error) => `${error.field}: ${fieldErrorBody(error)}`)
  const aggregate = texts.length === 1 ? (texts[0] ?? "") : `[${texts.join(", ")}]`
  return failure(422, "Invalid", `${groupKind(type)} "${name}" is invalid: ${aggregate}`, {
    ...(name === "" ? {} : { name }),
    ...(type.group === "" ? {} : { group: type.group }),
    kind: type.kind,
    causes: errors.map((error) => ({
      reason: causeReasons[error.type],
      message: fieldErrorBody(error),
      field: error.field
    }))
  })
}

/** 403 `pods "x" is forbidden: …`. */
export const forbidden = (
  type: Pick<ResourceType, "group" | "plural">,
  name: string,
  detail: string,
  causes?: ReadonlyArray<Cause>
): StatusFailure =>
  failure(
    403,
    "Forbidden",
    `${groupResource(type)}${name === "" ? "" : ` "${name}"`} is forbidden: ${detail}`,
    causes === undefined ? resourceDetails(type, name) : { ...resourceDetails(type, name), causes }
  )

/** 401 `Unauthorized`. */
export const unauthorized = (): StatusFailure => failure(401, "Unauthorized", "Unauthorized")

/** 400 with a message. */
export const badRequest = (message: string): StatusFailure => failure(400, "BadRequest", message)

/** 422 with the generic message of a status code alone, for a patch the server cannot apply. */
export const unprocessable = (): StatusFailure =>
  failure(422, "Invalid", "the server rejected our request due to an error in our request", {})

/**
 * 500 without a reason: an error the server passes on as it is, not as a
 * `Status` of its own (apimachinery's `StatusReasonUnknown`); the message is
 * the Go error's.
 */
export const unknownError = (message: string): StatusFailure =>
  new StatusFailure({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, code: 500 })

/** 405 for a verb the resource does not support. */
export const methodNotSupported = (type: Pick<ResourceType, "kind">, verb: string): StatusFailure =>
  failure(405, "MethodNotAllowed", `${verb} is not supported on resources of kind "${type.kind}"`, {})

/** 415 for a body or patch type the endpoint does not accept. */
export const unsupportedMediaType = (accepted: ReadonlyArray<string>): StatusFailure =>
  failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`
  )

/** 410 Expired with a message. */
export const expired = (message: string): StatusFailure => failure(410, "Expired", message)

/** 504 for a resourceVersion newer than the store's (the real server waits three seconds first). */
export const tooLargeResourceVersion = (requested: number, current: number): StatusFailure =>
  failure(504, "Timeout", `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1
  })

/** 500 for a failure of FakeKube itself. */
export const internalError = (message: string): StatusFailure =>
  failure(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ reason: "InternalError", message }]
  })

/** A `Status` of success (deletes answer with one). */
export const success = (details: StatusDetails): StatusBody => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Success",
  details,
  code: 200
})

/** The `Status` of a thrown value: a `StatusFailure`'s own, or a 500 for anything else. */
export const statusOf = (error: unknown): StatusBody =>
  error instanceof StatusFailure
    ? error.status
    : internalError(error instanceof Error ? error.message : String(error)).status
