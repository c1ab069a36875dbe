/**
 * Request builders: pure functions from (resource, scope, name, parameters)
 * to an `HttpClientRequest` value. Nothing here performs I/O; the client
 * sends what these return, and tests assert on method, URL, headers and body
 * without a server.
 *
 * URLs are relative to the API server (`/api/v1/namespaces/default/pods`);
 * the client prepends the server's base URL. Every builder validates its
 * input and fails with `KubeRequestError` before a request exists: an empty
 * or path-unsafe name, a namespace that is not a DNS label, a scope that does
 * not fit the kind (a namespace for a cluster-scoped kind, all namespaces for
 * a get), or invalid parameters (see `Params`).
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { HttpClientRequest } from "effect/http"
import { KubeRequestError } from "./KubeRequestError.js"
import * as Params from "./Params.js"
import * as PartialObjectMetadata from "./PartialObjectMetadata.js"
import * as Patch from "./Patch.js"
import * as Resource from "./Resource.js"

/** What a builder returns: a request, or why it cannot exist. @category models */
export type Built = Result.Result<HttpClientRequest.HttpClientRequest, KubeRequestError>

/** The JSON content type of bodies and responses. @category constants */
export const jsonContentType = "application/json"

const fail = (field: string, detail: string) => Result.fail(new KubeRequestError({ field, detail }))

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/**
 * Checks an object name as apimachinery's path-segment rule does: not empty,
 * not `.` or `..`, no `/` or `%`. (Kind-specific rules, such as DNS names, are
 * the server's to enforce.)
 */
const checkName = (name: string): Result.Result<string, KubeRequestError> =>
  name === ""
    ? fail("name", "must not be empty")
    : name === "." || name === ".."
      ? fail("name", `may not be ${JSON.stringify(name)}`)
      : /[/%]/.test(name)
        ? fail("name", `may not contain "/" or "%": ${JSON.stringify(name)}`)
        : Result.succeed(name)

type Operation = "collection" | "object"

/**
 * Checks that the scope fits the kind: a namespaced kind needs a namespace
 * (or all namespaces, for collection reads), a cluster-scoped kind must not
 * be given one.
 */
const checkScope = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  operation: Operation | "read-collection"
): Result.Result<Resource.Scope, KubeRequestError> => {
  switch (scope._tag) {
    case "Namespace":
      if (!resource.namespaced)
        return fail("namespace", `${resource.kind} is cluster-scoped; it cannot be addressed in a namespace`)
      if (scope.namespace.length > 63 || !dnsLabel.test(scope.namespace))
        return fail("namespace", `${JSON.stringify(scope.namespace)} is not a valid namespace name (a DNS label)`)
      return Result.succeed(scope)
    case "AllNamespaces":
      if (resource.namespaced && operation !== "read-collection")
        return fail("namespace", `${resource.kind} is namespaced; this request needs one namespace`)
      return Result.succeed(scope)
    case "Cluster":
      if (resource.namespaced) return fail("namespace", `${resource.kind} is namespaced; give a namespace`)
      return Result.succeed(scope)
  }
}

const objectUrl = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource?: string
): Result.Result<string, KubeRequestError> =>
  Result.flatMap(checkScope(resource, scope, "object"), (checked) =>
    Result.flatMap(checkName(name), (valid) =>
      subresource !== undefined && !/^[a-z][a-z0-9]*$/.test(subresource)
        ? fail("subresource", `${JSON.stringify(subresource)} is not a subresource name`)
        : Result.succeed(Resource.objectPath(resource, checked, valid, subresource))
    )
  )

const collectionUrl = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  operation: "collection" | "read-collection"
): Result.Result<string, KubeRequestError> =>
  Result.map(checkScope(resource, scope, operation), (checked) => Resource.collectionPath(resource, checked))

const make = (
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  query: Params.QueryParams,
  accept: string = jsonContentType
): HttpClientRequest.HttpClientRequest => HttpClientRequest.make(method)(url, { urlParams: query, headers: { accept } })

const withJsonBody = (
  request: HttpClientRequest.HttpClientRequest,
  body: unknown,
  contentType: string = jsonContentType
): HttpClientRequest.HttpClientRequest => HttpClientRequest.bodyText(request, JSON.stringify(body), contentType)

/**
 * GET a collection: `GET /api/v1/namespaces/{namespace}/pods?...`.
 *
 * @category reads
 */
export const list = (resource: Resource.ApiResource, scope: Resource.Scope, params?: Params.ListParams): Built =>
  Result.flatMap(collectionUrl(resource, scope, "read-collection"), (url) =>
    Result.map(Params.listQuery(params), (query) => make("GET", url, query))
  )

/**
 * Watch a collection: `GET ...?watch=true&allowWatchBookmarks=true&timeoutSeconds=290`.
 * The response is a stream of JSON lines, one `WatchEvent` each.
 *
 * @category reads
 */
export const watch = (resource: Resource.ApiResource, scope: Resource.Scope, params?: Params.WatchParams): Built =>
  Result.flatMap(collectionUrl(resource, scope, "read-collection"), (url) =>
    Result.map(Params.watchQuery(params), (query) => make("GET", url, query))
  )

/**
 * GET one object.
 *
 * @category reads
 */
export const get = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  params?: Params.GetParams
): Built => Result.map(objectUrl(resource, scope, name), (url) => make("GET", url, Params.getQuery(params)))

/**
 * POST a new object to its collection. `object` is the encoded JSON object.
 *
 * @category writes
 */
export const create = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  object: unknown,
  params?: Params.PostParams
): Built =>
  Result.flatMap(collectionUrl(resource, scope, "collection"), (url) =>
    Result.map(Params.postQuery(params), (query) => withJsonBody(make("POST", url, query), object))
  )

/**
 * PUT an object, replacing it; a `metadata.resourceVersion` in the object
 * makes the replace fail with 409 Conflict if the object changed since.
 *
 * @category writes
 */
export const replace = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  object: unknown,
  params?: Params.PostParams
): Built => replaceSubresourceAt(resource, scope, name, undefined, object, params)

/**
 * PATCH an object with any of the four patch kinds.
 *
 * @category writes
 */
export const patch = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built => patchSubresourceAt(resource, scope, name, undefined, body, params)

/**
 * DELETE an object, with the options as a `DeleteOptions` body. The server
 * answers with the object (when finalizers or graceful deletion keep it) or
 * a `Status`.
 *
 * @category writes
 */
const del = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  params?: Params.DeleteParams
): Built =>
  Result.flatMap(objectUrl(resource, scope, name), (url) =>
    Result.map(Params.deleteOptions(params), (options) => withJsonBody(make("DELETE", url, []), options))
  )

export {
  /** DELETE one object (exported as `delete`; the name is reserved inside a module). */
  del as delete
}

/**
 * DELETE every object of a collection matching the list's selectors. Only
 * label and field selectors are forwarded from the list parameters (paging
 * and versions mean nothing to a delete).
 *
 * @category writes
 */
export const deleteCollection = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  listParams: Pick<Params.ListParams, "labelSelector" | "fieldSelector"> = {},
  params?: Params.DeleteParams
): Built =>
  Result.flatMap(collectionUrl(resource, scope, "collection"), (url) =>
    Result.flatMap(
      Params.listQuery({
        ...(listParams.labelSelector === undefined ? {} : { labelSelector: listParams.labelSelector }),
        ...(listParams.fieldSelector === undefined ? {} : { fieldSelector: listParams.fieldSelector })
      }),
      (query) =>
        Result.map(Params.deleteOptions(params), (options) => withJsonBody(make("DELETE", url, query), options))
    )
  )

// ---------------------------------------------------------------------------
// Subresources
// ---------------------------------------------------------------------------

/**
 * GET a subresource of an object (`status`, `scale`, ...).
 *
 * @category subresources
 */
export const getSubresource = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string,
  query: Params.QueryParams = []
): Built => Result.map(objectUrl(resource, scope, name, subresource), (url) => make("GET", url, query))

/**
 * POST to a subresource of an object (`eviction`, `binding`, `token`, ...).
 *
 * @category subresources
 */
export const createSubresource = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string,
  body: unknown,
  params?: Params.PostParams
): Built =>
  Result.flatMap(objectUrl(resource, scope, name, subresource), (url) =>
    Result.map(Params.postQuery(params), (query) => withJsonBody(make("POST", url, query), body))
  )

const replaceSubresourceAt = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string | undefined,
  body: unknown,
  params?: Params.PostParams
): Built =>
  Result.flatMap(objectUrl(resource, scope, name, subresource), (url) =>
    Result.map(Params.postQuery(params), (query) => withJsonBody(make("PUT", url, query), body))
  )

const patchSubresourceAt = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string | undefined,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built =>
  Result.flatMap(objectUrl(resource, scope, name, subresource), (url) =>
    Result.map(Params.patchQuery(params, body._tag === "Apply"), (query) =>
      HttpClientRequest.bodyText(make("PATCH", url, query), Patch.bodyText(body), Patch.contentType(body))
    )
  )

/**
 * PUT a subresource of an object.
 *
 * @category subresources
 */
export const replaceSubresource = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string,
  body: unknown,
  params?: Params.PostParams
): Built => replaceSubresourceAt(resource, scope, name, subresource, body, params)

/**
 * PATCH a subresource of an object.
 *
 * @category subresources
 */
export const patchSubresource = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  subresource: string,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built => patchSubresourceAt(resource, scope, name, subresource, body, params)

/** GET the `status` subresource. @category subresources */
export const getStatus = (resource: Resource.ApiResource, scope: Resource.Scope, name: string): Built =>
  getSubresource(resource, scope, name, "status")

/** PUT the `status` subresource: only status changes are kept. @category subresources */
export const replaceStatus = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  object: unknown,
  params?: Params.PostParams
): Built => replaceSubresourceAt(resource, scope, name, "status", object, params)

/** PATCH the `status` subresource. @category subresources */
export const patchStatus = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built => patchSubresourceAt(resource, scope, name, "status", body, params)

/** GET the `scale` subresource (an `autoscaling/v1` Scale). @category subresources */
export const getScale = (resource: Resource.ApiResource, scope: Resource.Scope, name: string): Built =>
  getSubresource(resource, scope, name, "scale")

/** PUT the `scale` subresource. @category subresources */
export const replaceScale = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  scale: unknown,
  params?: Params.PostParams
): Built => replaceSubresourceAt(resource, scope, name, "scale", scale, params)

/** PATCH the `scale` subresource. @category subresources */
export const patchScale = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built => patchSubresourceAt(resource, scope, name, "scale", body, params)

/**
 * POST a `policy/v1` Eviction for a pod: the API-side delete that respects
 * PodDisruptionBudgets (429 while a budget forbids it).
 *
 * @category subresources
 */
export const evict = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  params?: Params.DeleteParams & Pick<Params.PostParams, "dryRun">
): Built =>
  Result.flatMap(Params.deleteOptions(params), (deleteOptions) =>
    Result.flatMap(objectUrl(resource, scope, name, "eviction"), (url) => {
      const namespace = scope._tag === "Namespace" ? { namespace: scope.namespace } : {}
      const body = {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name, ...namespace },
        ...(Object.keys(deleteOptions).length === 0 ? {} : { deleteOptions })
      }
      return Result.succeed(withJsonBody(make("POST", url, params?.dryRun === true ? [["dryRun", "All"]] : []), body))
    })
  )

/**
 * GET a container's log: `GET .../pods/{name}/log?container=...&follow=true`.
 * The body is plain text; with `follow` it stays open and streams.
 *
 * @category subresources
 */
export const log = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  params?: Params.LogParams
): Built =>
  Result.flatMap(objectUrl(resource, scope, name, "log"), (url) =>
    Result.map(Params.logQuery(params), (query) => make("GET", url, query, "text/plain, */*"))
  )

/** GET a pod's `ephemeralcontainers` subresource. @category subresources */
export const getEphemeralContainers = (resource: Resource.ApiResource, scope: Resource.Scope, name: string): Built =>
  getSubresource(resource, scope, name, "ephemeralcontainers")

/** PUT a pod's `ephemeralcontainers` subresource (the way to add a debug container). @category subresources */
export const replaceEphemeralContainers = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  pod: unknown,
  params?: Params.PostParams
): Built => replaceSubresourceAt(resource, scope, name, "ephemeralcontainers", pod, params)

/** PATCH a pod's `ephemeralcontainers` subresource. @category subresources */
export const patchEphemeralContainers = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  body: Patch.Patch,
  params?: Params.PatchParams
): Built => patchSubresourceAt(resource, scope, name, "ephemeralcontainers", body, params)

// ---------------------------------------------------------------------------
// Metadata-only requests
// ---------------------------------------------------------------------------

const asMetadata =
  (accept: string) =>
  (built: Built): Built =>
    Result.map(built, (request) => HttpClientRequest.setHeader(request, "accept", `${accept}, ${jsonContentType}`))

/**
 * List only the objects' metadata (`PartialObjectMetadataList`), a fraction of
 * the bytes of full objects. `application/json` is the fallback for servers
 * that cannot convert.
 *
 * @category metadata
 */
export const listMetadata = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  params?: Params.ListParams
): Built => asMetadata(PartialObjectMetadata.acceptList)(list(resource, scope, params))

/** GET only an object's metadata (`PartialObjectMetadata`). @category metadata */
export const getMetadata = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  name: string,
  params?: Params.GetParams
): Built => asMetadata(PartialObjectMetadata.acceptObject)(get(resource, scope, name, params))

/** Watch only the objects' metadata: each event carries a `PartialObjectMetadata`. @category metadata */
export const watchMetadata = (
  resource: Resource.ApiResource,
  scope: Resource.Scope,
  params?: Params.WatchParams
): Built => asMetadata(PartialObjectMetadata.acceptObject)(watch(resource, scope, params))
