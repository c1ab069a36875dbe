/**
 * Request parameters, named as the Kubernetes API names them
 * (`labelSelector`, `resourceVersionMatch`, `fieldManager`, ...), and their
 * validation and rendering as query strings (or, for deletes, a
 * `DeleteOptions` body).
 *
 * Parameters are validated where requests are built, so a combination the
 * server would reject — or worse, silently misread — fails with
 * `KubeRequestError` before anything is sent:
 * - a `continue` token combined with a `resourceVersion`;
 * - `resourceVersionMatch` without a `resourceVersion`, or `Exact` with `"0"`;
 * - `sendInitialEvents` without bookmarks;
 * - `force` outside server-side apply, a `fieldManager` over 128 characters;
 * - `sinceSeconds` together with `sinceTime`.
 *
 * One trap is handled rather than rejected, as kube-rs does: a list with
 * `limit` and `resourceVersion: "0"` drops the `"0"` (and a `NotOlderThan`
 * match), because the server would serve it from its cache and ignore the
 * limit.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { KubeRequestError } from "./KubeRequestError.js"
import * as Selector from "./Selector.js"

/** Query parameters as ordered name/value pairs. @category models */
export type QueryParams = ReadonlyArray<readonly [string, string]>

/** A label selector: a rendered string or typed requirements. @category models */
export type LabelSelectorInput = string | ReadonlyArray<Selector.LabelRequirement>

/** A field selector: a rendered string or typed requirements. @category models */
export type FieldSelectorInput = string | ReadonlyArray<Selector.FieldRequirement>

/**
 * Parameters of a list.
 *
 * @category models
 */
export interface ListParams {
  readonly labelSelector?: LabelSelectorInput
  readonly fieldSelector?: FieldSelectorInput
  /** The page size; more pages are fetched with `continue`. */
  readonly limit?: number
  /** The token from the previous page's `metadata.continue`. */
  readonly continue?: string
  /** `undefined` is the same as unset, so a list's optional `metadata.resourceVersion` can be passed on as is. */
  readonly resourceVersion?: string | undefined
  readonly resourceVersionMatch?: "NotOlderThan" | "Exact"
  readonly timeoutSeconds?: number
}

/**
 * Parameters of a watch. Bookmarks are on unless turned off, and the server
 * ends the watch after `timeoutSeconds` (default 290, below the API server's
 * minimum request timeout) so a half-dead connection is noticed.
 *
 * @category models
 */
export interface WatchParams {
  readonly labelSelector?: LabelSelectorInput
  readonly fieldSelector?: FieldSelectorInput
  /**
   * Start after this version; unset (or `undefined`) means "now", with
   * synthetic ADDED events for existing objects.
   */
  readonly resourceVersion?: string | undefined
  readonly allowWatchBookmarks?: boolean
  /** Streaming list: send the current objects as ADDED events, then the `k8s.io/initial-events-end` bookmark. */
  readonly sendInitialEvents?: boolean
  readonly timeoutSeconds?: number
}

/** The default `timeoutSeconds` of a watch. @category constants */
export const defaultWatchTimeoutSeconds = 290

/** Parameters of a get. @category models */
export interface GetParams {
  readonly resourceVersion?: string | undefined
}

/** How the server treats unknown or duplicate fields in a write. @category models */
export type FieldValidation = "Strict" | "Warn" | "Ignore"

/** Parameters of a create or replace. @category models */
export interface PostParams {
  /** Validate and default without persisting (`dryRun=All`). */
  readonly dryRun?: boolean
  readonly fieldManager?: string
  readonly fieldValidation?: FieldValidation
}

/** Parameters of a patch. @category models */
export interface PatchParams extends PostParams {
  /** Take ownership of conflicting fields; server-side apply only. */
  readonly force?: boolean
}

/** How dependents are deleted. @category models */
export type PropagationPolicy = "Orphan" | "Background" | "Foreground"

/** Parameters of a delete, sent as a `DeleteOptions` body. @category models */
export interface DeleteParams {
  readonly dryRun?: boolean
  readonly gracePeriodSeconds?: number
  readonly propagationPolicy?: PropagationPolicy
  /** Delete only if the object still has this uid and/or resourceVersion. */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string }
}

/** Parameters of a container log request. @category models */
export interface LogParams {
  readonly container?: string
  readonly follow?: boolean
  readonly limitBytes?: number
  readonly previous?: boolean
  readonly sinceSeconds?: number
  /** RFC 3339 time. */
  readonly sinceTime?: string
  readonly tailLines?: number
  readonly timestamps?: boolean
}

const fail = (field: string, detail: string) => Result.fail(new KubeRequestError({ field, detail }))

type Check = Result.Result<void, KubeRequestError>
const ok: Check = Result.void

const positiveInteger = (field: string, value: number | undefined): Check =>
  value === undefined || (Number.isSafeInteger(value) && value > 0)
    ? ok
    : fail(field, `must be a positive integer, got ${value}`)

const nonNegativeInteger = (field: string, value: number | undefined): Check =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0)
    ? ok
    : fail(field, `must be a non-negative integer, got ${value}`)

const firstFailure = (checks: ReadonlyArray<Check>): Check => checks.find(Result.isFailure) ?? ok

const renderLabelSelector = (
  input: LabelSelectorInput | undefined
): Result.Result<string | undefined, KubeRequestError> =>
  input === undefined || typeof input === "string" ? Result.succeed(input) : Selector.labelSelector(input)

const renderFieldSelector = (
  input: FieldSelectorInput | undefined
): Result.Result<string | undefined, KubeRequestError> =>
  input === undefined || typeof input === "string" ? Result.succeed(input) : Selector.fieldSelector(input)

const selectors = (
  label: LabelSelectorInput | undefined,
  field: FieldSelectorInput | undefined
): Result.Result<Array<readonly [string, string]>, KubeRequestError> =>
  Result.flatMap(renderLabelSelector(label), (labelSelector) =>
    Result.map(renderFieldSelector(field), (fieldSelector) => {
      const query: Array<readonly [string, string]> = []
      if (labelSelector !== undefined && labelSelector !== "") query.push(["labelSelector", labelSelector])
      if (fieldSelector !== undefined && fieldSelector !== "") query.push(["fieldSelector", fieldSelector])
      return query
    })
  )

/**
 * Validates list parameters and renders their query.
 *
 * @category rendering
 */
export const listQuery = (params: ListParams = {}): Result.Result<QueryParams, KubeRequestError> => {
  const invalid = firstFailure([
    positiveInteger("limit", params.limit),
    nonNegativeInteger("timeoutSeconds", params.timeoutSeconds),
    params.continue !== undefined && params.resourceVersion !== undefined
      ? fail("continue", "a continue token must not be combined with a resourceVersion (the token carries its own)")
      : ok,
    params.resourceVersionMatch !== undefined && params.resourceVersion === undefined
      ? fail("resourceVersionMatch", "requires a resourceVersion")
      : ok,
    params.resourceVersionMatch === "Exact" && params.resourceVersion === "0"
      ? fail("resourceVersionMatch", 'Exact with resourceVersion "0" is invalid')
      : ok
  ])
  return Result.flatMap(invalid, () =>
    Result.map(selectors(params.labelSelector, params.fieldSelector), (query) => {
      if (params.limit !== undefined) query.push(["limit", String(params.limit)])
      if (params.continue !== undefined && params.continue !== "") query.push(["continue", params.continue])
      const dropCacheVersion = params.limit !== undefined && params.resourceVersion === "0"
      if (params.resourceVersion !== undefined && !dropCacheVersion) {
        query.push(["resourceVersion", params.resourceVersion])
        if (params.resourceVersionMatch !== undefined) query.push(["resourceVersionMatch", params.resourceVersionMatch])
      }
      if (params.timeoutSeconds !== undefined) query.push(["timeoutSeconds", String(params.timeoutSeconds)])
      return query
    })
  )
}

/**
 * Validates watch parameters and renders their query (`watch=true` first).
 *
 * @category rendering
 */
export const watchQuery = (params: WatchParams = {}): Result.Result<QueryParams, KubeRequestError> => {
  const bookmarks = params.allowWatchBookmarks ?? true
  const invalid = firstFailure([
    positiveInteger("timeoutSeconds", params.timeoutSeconds),
    params.sendInitialEvents === true && !bookmarks
      ? fail("sendInitialEvents", "requires allowWatchBookmarks (the end of the initial events is a bookmark)")
      : ok
  ])
  return Result.flatMap(invalid, () =>
    Result.map(selectors(params.labelSelector, params.fieldSelector), (selectorQuery) => {
      const query: Array<readonly [string, string]> = [["watch", "true"], ...selectorQuery]
      if (params.resourceVersion !== undefined) query.push(["resourceVersion", params.resourceVersion])
      if (bookmarks) query.push(["allowWatchBookmarks", "true"])
      if (params.sendInitialEvents !== undefined) {
        query.push(["sendInitialEvents", String(params.sendInitialEvents)])
        if (params.sendInitialEvents) query.push(["resourceVersionMatch", "NotOlderThan"])
      }
      query.push(["timeoutSeconds", String(params.timeoutSeconds ?? defaultWatchTimeoutSeconds)])
      return query
    })
  )
}

/**
 * Renders get parameters.
 *
 * @category rendering
 */
export const getQuery = (params: GetParams = {}): QueryParams =>
  params.resourceVersion === undefined ? [] : [["resourceVersion", params.resourceVersion]]

// Printable ASCII, as apimachinery's ValidateFieldManager requires.
const printable = /^[\x20-\x7e]*$/

const fieldManagerCheck = (fieldManager: string | undefined): Check =>
  fieldManager === undefined
    ? ok
    : fieldManager.length === 0
      ? fail("fieldManager", "must not be empty when given")
      : fieldManager.length > 128
        ? fail("fieldManager", `must be at most 128 characters, got ${fieldManager.length}`)
        : printable.test(fieldManager)
          ? ok
          : fail("fieldManager", "must contain only printable ASCII characters")

const writeQuery = (params: PostParams): Array<readonly [string, string]> => {
  const query: Array<readonly [string, string]> = []
  if (params.dryRun === true) query.push(["dryRun", "All"])
  if (params.fieldManager !== undefined) query.push(["fieldManager", params.fieldManager])
  if (params.fieldValidation !== undefined) query.push(["fieldValidation", params.fieldValidation])
  return query
}

/**
 * Validates create/replace parameters and renders their query.
 *
 * @category rendering
 */
export const postQuery = (params: PostParams = {}): Result.Result<QueryParams, KubeRequestError> =>
  Result.map(fieldManagerCheck(params.fieldManager), () => writeQuery(params))

/**
 * Validates patch parameters for a patch of the given kind and renders their
 * query. Server-side apply requires a `fieldManager`; `force` is only valid
 * for server-side apply.
 *
 * @category rendering
 */
export const patchQuery = (
  params: PatchParams = {},
  isApply: boolean
): Result.Result<QueryParams, KubeRequestError> => {
  const invalid = firstFailure([
    fieldManagerCheck(params.fieldManager),
    isApply && params.fieldManager === undefined
      ? fail("fieldManager", "server-side apply requires a fieldManager")
      : ok,
    params.force === true && !isApply ? fail("force", "is only valid for server-side apply patches") : ok
  ])
  return Result.map(invalid, () => {
    const query = writeQuery(params)
    if (params.force === true) query.push(["force", "true"])
    return query
  })
}

/**
 * The `DeleteOptions` body of a delete (kube-rs and client-go send options as
 * a body, which every delete endpoint accepts).
 *
 * @category models
 */
export interface DeleteOptions {
  readonly dryRun?: ReadonlyArray<"All">
  readonly gracePeriodSeconds?: number
  readonly propagationPolicy?: PropagationPolicy
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string }
}

/**
 * Validates delete parameters and builds the `DeleteOptions` body.
 *
 * @category rendering
 */
export const deleteOptions = (params: DeleteParams = {}): Result.Result<DeleteOptions, KubeRequestError> =>
  Result.map(nonNegativeInteger("gracePeriodSeconds", params.gracePeriodSeconds), () => ({
    ...(params.dryRun === true ? { dryRun: ["All"] as const } : {}),
    ...(params.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: params.gracePeriodSeconds }),
    ...(params.propagationPolicy === undefined ? {} : { propagationPolicy: params.propagationPolicy }),
    ...(params.preconditions === undefined ? {} : { preconditions: params.preconditions })
  }))

/**
 * Validates log parameters and renders their query.
 *
 * @category rendering
 */
export const logQuery = (params: LogParams = {}): Result.Result<QueryParams, KubeRequestError> => {
  const invalid = firstFailure([
    positiveInteger("limitBytes", params.limitBytes),
    positiveInteger("sinceSeconds", params.sinceSeconds),
    nonNegativeInteger("tailLines", params.tailLines),
    params.sinceSeconds !== undefined && params.sinceTime !== undefined
      ? fail("sinceSeconds", "only one of sinceSeconds and sinceTime may be given")
      : ok,
    params.sinceTime !== undefined && Number.isNaN(Date.parse(params.sinceTime))
      ? fail("sinceTime", `must be an RFC 3339 time, got ${JSON.stringify(params.sinceTime)}`)
      : ok
  ])
  return Result.map(invalid, () => {
    const query: Array<readonly [string, string]> = []
    if (params.container !== undefined) query.push(["container", params.container])
    if (params.follow === true) query.push(["follow", "true"])
    if (params.limitBytes !== undefined) query.push(["limitBytes", String(params.limitBytes)])
    if (params.previous === true) query.push(["previous", "true"])
    if (params.sinceSeconds !== undefined) query.push(["sinceSeconds", String(params.sinceSeconds)])
    if (params.sinceTime !== undefined) query.push(["sinceTime", params.sinceTime])
    if (params.tailLines !== undefined) query.push(["tailLines", String(params.tailLines)])
    if (params.timestamps === true) query.push(["timestamps", "true"])
    return query
  })
}
