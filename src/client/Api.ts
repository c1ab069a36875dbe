/**
 * `Api<K>`: a typed handle on one kind in one scope — the pods of a
 * namespace, the deployments of every namespace, the cluster's nodes — with
 * the Kubernetes verbs as methods. It captures the `KubeClient`, so its
 * methods need nothing from the environment:
 *
 * ```ts
 * const pods = yield* Api.namespaced(Pod)            // the configured default namespace
 * const list = yield* pods.list({ labelSelector: "app=web" })
 * const pod = yield* pods.getOption("web-0")          // Option<Pod>, None on 404
 * ```
 *
 * Objects are encoded with the kind's schema before they are sent, keeping
 * every field (also ones the schema does not know), and `apiVersion`/`kind`
 * are filled in when missing. Responses are decoded by the same schema.
 *
 * Because it captures the client, a handle lives only as long as the layer
 * that provided it: `Api.all(Pod).pipe(Effect.provide(Kube.layer()))` hands
 * back a handle whose transport is already closed (every call then fails
 * with `KubeNetworkError`). Provide the layer around the whole program, or
 * build it once with `Layer.build` in a scope that outlives the handles.
 *
 * @since 0.1.0
 */
import { Effect, Option, Result, Schema, Stream } from "effect"
import { Scale } from "../api/autoscaling/v1.js"
import * as ObjectList from "../core/ObjectList.js"
import type * as Params from "../core/Params.js"
import { PartialObjectMetadata } from "../core/PartialObjectMetadata.js"
import * as Patch from "../core/Patch.js"
import * as Request from "../core/Request.js"
import * as Resource from "../core/Resource.js"
import * as Status from "../core/Status.js"
import type * as WatchEvent from "../core/WatchEvent.js"
import { type Call, type Decoder, decoderFor, KubeClient, type KubeClientService } from "./KubeClient.js"
import { type KubeError, KubeRequestError } from "./KubeError.js"

/**
 * What a delete returns, as the server answers it:
 * - `Deleted`: the object is gone. Most kinds answer with a success `Status`
 *   (`status`); some (Services, Pods deleted at once) answer with the
 *   object's last state (`object`, without a `deletionTimestamp`).
 * - `Deleting`: finalizers or a grace period keep the object for now; it has
 *   its `deletionTimestamp` set.
 *
 * @category models
 */
export type DeleteResult<K> =
  | { readonly _tag: "Deleted"; readonly status?: Status.Status; readonly object?: K }
  | { readonly _tag: "Deleting"; readonly object: K }

/**
 * What a delete of a collection returns: a `Status`, or the list of objects
 * being deleted.
 *
 * @category models
 */
export type DeleteCollectionResult<K> =
  | { readonly _tag: "Deleted"; readonly status: Status.Status }
  | { readonly _tag: "Deleting"; readonly list: ObjectList.ObjectList<K> }

/**
 * Per-call options: override the client's retry policy or timeout.
 *
 * @category models
 */
export type CallOptions = Pick<Call, "retry" | "timeout">

/**
 * Server-side apply parameters: a field manager is required.
 *
 * @category models
 */
export interface ApplyParams extends Omit<Params.PatchParams, "fieldManager"> {
  /** Who owns the applied fields (server-side apply requires one). */
  readonly fieldManager: string
}

/**
 * A typed handle on a kind in a scope.
 *
 * @category models
 */
export interface Api<K extends Resource.KubeObject> {
  /** The kind this handle addresses. */
  readonly resource: Resource.Resource<K>
  /** The namespace, every namespace, or the cluster scope this handle addresses. */
  readonly scope: Resource.Scope
  /** GET the collection (one page when `limit` is set). */
  readonly list: (
    params?: Params.ListParams,
    options?: CallOptions
  ) => Effect.Effect<ObjectList.ObjectList<K>, KubeError>
  /**
   * Every object of the collection as a stream, fetched in pages of `limit`
   * (default 500) with continue tokens, lazily: a consumer that stops early
   * fetches no more pages. An expired continue token fails the stream with
   * `KubeApiError` (`isGone`).
   */
  readonly listAll: (params?: Params.ListParams, options?: CallOptions) => Stream.Stream<K, KubeError>
  /** GET an object; a missing one fails with `KubeApiError` NotFound. */
  readonly get: (name: string, params?: Params.GetParams, options?: CallOptions) => Effect.Effect<K, KubeError>
  /** GET an object; `None` when it does not exist. */
  readonly getOption: (
    name: string,
    params?: Params.GetParams,
    options?: CallOptions
  ) => Effect.Effect<Option.Option<K>, KubeError>
  /** POST a new object; the server's answer, with uid and resourceVersion. */
  readonly create: (object: K, params?: Params.PostParams, options?: CallOptions) => Effect.Effect<K, KubeError>
  /** PUT the object; with `metadata.resourceVersion` set, a concurrent change makes it fail with Conflict. */
  readonly replace: (
    name: string,
    object: K,
    params?: Params.PostParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** PATCH an object with a merge, JSON, strategic merge or apply patch (`Patch`). */
  readonly patch: (
    name: string,
    patch: Patch.Patch,
    params?: Params.PatchParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** Server-side apply of `object` (the fields this manager owns), creating it if needed. */
  readonly apply: (name: string, object: K, params: ApplyParams, options?: CallOptions) => Effect.Effect<K, KubeError>
  /** DELETE an object: gone at once, or `Deleting` while finalizers or a grace period hold it. */
  readonly delete: (
    name: string,
    params?: Params.DeleteParams,
    options?: CallOptions
  ) => Effect.Effect<DeleteResult<K>, KubeError>
  /** DELETE every object matching the selectors. */
  readonly deleteCollection: (
    listParams?: Pick<Params.ListParams, "labelSelector" | "fieldSelector">,
    params?: Params.DeleteParams,
    options?: CallOptions
  ) => Effect.Effect<DeleteCollectionResult<K>, KubeError>
  /**
   * A raw watch: one connection, ending when the server closes it. Use
   * `effect-kube/runtime`'s watcher for a watch that resumes and relists.
   */
  readonly watch: (
    params?: Params.WatchParams,
    options?: CallOptions
  ) => Stream.Stream<WatchEvent.WatchEvent<K>, KubeError>
  /** GET the `status` subresource (the whole object, as the server answers). */
  readonly getStatus: (name: string, options?: CallOptions) => Effect.Effect<K, KubeError>
  /** PUT the `status` subresource: only the status changes. */
  readonly replaceStatus: (
    name: string,
    object: K,
    params?: Params.PostParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** PATCH the `status` subresource: only the status changes. */
  readonly patchStatus: (
    name: string,
    patch: Patch.Patch,
    params?: Params.PatchParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** GET the `scale` subresource, an autoscaling/v1 `Scale`. */
  readonly getScale: (name: string, options?: CallOptions) => Effect.Effect<Scale, KubeError>
  /** PUT the `scale` subresource. */
  readonly replaceScale: (
    name: string,
    scale: Scale,
    params?: Params.PostParams,
    options?: CallOptions
  ) => Effect.Effect<Scale, KubeError>
  /** PATCH the `scale` subresource. */
  readonly patchScale: (
    name: string,
    patch: Patch.Patch,
    params?: Params.PatchParams,
    options?: CallOptions
  ) => Effect.Effect<Scale, KubeError>
  /** Evict a pod (respects PodDisruptionBudgets: 429 while a budget forbids it). */
  readonly evict: (
    name: string,
    params?: Params.DeleteParams & Pick<Params.PostParams, "dryRun">,
    options?: CallOptions
  ) => Effect.Effect<Status.Status, KubeError>
  /** A container's log, line by line; with `follow` it stays open and streams new lines. */
  readonly log: (name: string, params?: Params.LogParams, options?: CallOptions) => Stream.Stream<string, KubeError>
  /** GET a pod's `ephemeralcontainers` subresource (the whole pod). */
  readonly getEphemeralContainers: (name: string, options?: CallOptions) => Effect.Effect<K, KubeError>
  /** PUT a pod's `ephemeralcontainers` subresource: adds debug containers. */
  readonly replaceEphemeralContainers: (
    name: string,
    object: K,
    params?: Params.PostParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** PATCH a pod's `ephemeralcontainers` subresource. */
  readonly patchEphemeralContainers: (
    name: string,
    patch: Patch.Patch,
    params?: Params.PatchParams,
    options?: CallOptions
  ) => Effect.Effect<K, KubeError>
  /** List only the objects' metadata. */
  readonly listMetadata: (
    params?: Params.ListParams,
    options?: CallOptions
  ) => Effect.Effect<ObjectList.ObjectList<PartialObjectMetadata>, KubeError>
  /** GET only an object's metadata. */
  readonly getMetadata: (
    name: string,
    params?: Params.GetParams,
    options?: CallOptions
  ) => Effect.Effect<PartialObjectMetadata, KubeError>
  /** A raw watch of the objects' metadata only. */
  readonly watchMetadata: (
    params?: Params.WatchParams,
    options?: CallOptions
  ) => Stream.Stream<WatchEvent.WatchEvent<PartialObjectMetadata>, KubeError>
}

const encoders = new WeakMap<object, (value: unknown) => Result.Result<unknown, Schema.SchemaError>>()

const encoderFor = <K>(schema: Schema.Codec<K, unknown>) => {
  const cached = encoders.get(schema)
  if (cached !== undefined) return cached
  const encoder = Schema.encodeUnknownResult(schema)
  encoders.set(schema, encoder)
  return encoder
}

const decodeMetadataList = decoderFor(ObjectList.schema(PartialObjectMetadata))
const decodeMetadata = decoderFor(PartialObjectMetadata)
const decodeScale = decoderFor(Scale)
const decodeStatus = decoderFor(Status.Status)

const isObject = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A handle on `resource` in `scope`, using `client`.
 *
 * @category constructors
 */
export const make = <K extends Resource.KubeObject>(
  client: KubeClientService,
  resource: Resource.Resource<K>,
  scope: Resource.Scope
): Api<K> => {
  const decodeObject = decoderFor(resource.schema)
  const decodeList = decoderFor(resource.listSchema)
  const encodeObject = encoderFor(resource.schema)
  const namespace = scope._tag === "Namespace" ? scope.namespace : undefined

  const call = (verb: string, options: CallOptions | undefined, name?: string, subresource?: string): Call => ({
    verb,
    resource,
    namespace,
    name,
    subresource,
    ...options
  })

  const run = <A>(built: Request.Built, details: Call, decode: Decoder<A>): Effect.Effect<A, KubeError> =>
    Effect.flatMap(Effect.fromResult(built), (request) => client.request(request, details, decode))

  /** Encodes an object for the wire, filling in apiVersion and kind when missing. */
  const encode = (object: K): Result.Result<unknown, KubeRequestError> =>
    Result.mapBoth(encodeObject(object), {
      onFailure: (error) => new KubeRequestError({ field: "object", detail: error.message }),
      onSuccess: (encoded) =>
        isObject(encoded) ? { apiVersion: resource.apiVersion, kind: resource.kind, ...encoded } : encoded
    })

  const withBody = (object: K, build: (body: unknown) => Request.Built): Request.Built =>
    Result.flatMap(encode(object), build)

  const decodeDeleted: Decoder<DeleteResult<K>> = (json) =>
    Status.isStatusObject(json)
      ? Result.map(decodeStatus(json), (status) => ({ _tag: "Deleted" as const, status }))
      : Result.map(decodeObject(json), (object) =>
          object.metadata?.deletionTimestamp === undefined
            ? { _tag: "Deleted" as const, object }
            : { _tag: "Deleting" as const, object }
        )

  const decodeDeletedCollection: Decoder<DeleteCollectionResult<K>> = (json) =>
    Status.isStatusObject(json)
      ? Result.map(decodeStatus(json), (status) => ({ _tag: "Deleted" as const, status }))
      : Result.map(decodeList(json), (list) => ({ _tag: "Deleting" as const, list }))

  const get: Api<K>["get"] = (name, params, options) =>
    run(Request.get(resource, scope, name, params), call("get", options, name), decodeObject)

  const list: Api<K>["list"] = (params, options) =>
    run(Request.list(resource, scope, params), call("list", options), decodeList)

  const listAll: Api<K>["listAll"] = (params = {}, options) => {
    const { continue: first, ...rest } = params
    const limit = params.limit ?? 500
    const page = (token: string | undefined) =>
      list(
        token === undefined
          ? { ...rest, limit, ...(first === undefined ? {} : { continue: first }) }
          : {
              // Later pages carry only the token: it pins the snapshot the first page started.
              ...(rest.labelSelector === undefined ? {} : { labelSelector: rest.labelSelector }),
              ...(rest.fieldSelector === undefined ? {} : { fieldSelector: rest.fieldSelector }),
              limit,
              continue: token
            },
        options
      )
    return Stream.paginate(first, (token: string | undefined) =>
      Effect.map(page(token), (result) => {
        const next = result.metadata.continue
        return [result.items, next === undefined || next === "" ? Option.none() : Option.some(next)] as const
      })
    )
  }

  return {
    resource,
    scope,
    list,
    listAll,
    get,
    getOption: (name, params, options) =>
      get(name, params, options).pipe(
        Effect.map(Option.some),
        Effect.catchIf(
          (error): error is Extract<KubeError, { readonly _tag: "KubeApiError" }> =>
            error._tag === "KubeApiError" && error.isNotFound,
          () => Effect.succeedNone
        )
      ),
    create: (object, params, options) =>
      run(
        withBody(object, (body) => Request.create(resource, scope, body, params)),
        call("create", options),
        decodeObject
      ),
    replace: (name, object, params, options) =>
      run(
        withBody(object, (body) => Request.replace(resource, scope, name, body, params)),
        call("replace", options, name),
        decodeObject
      ),
    patch: (name, patch, params, options) =>
      run(Request.patch(resource, scope, name, patch, params), call("patch", options, name), decodeObject),
    apply: (name, object, params, options) =>
      run(
        Result.flatMap(encode(object), (body) => Request.patch(resource, scope, name, Patch.apply(body), params)),
        call("apply", options, name),
        decodeObject
      ),
    delete: (name, params, options) =>
      run(Request.delete(resource, scope, name, params), call("delete", options, name), decodeDeleted),
    deleteCollection: (listParams, params, options) =>
      run(
        Request.deleteCollection(resource, scope, listParams, params),
        call("deletecollection", options),
        decodeDeletedCollection
      ),
    watch: (params, options) =>
      Stream.unwrap(
        Effect.map(Effect.fromResult(Request.watch(resource, scope, params)), (request) =>
          client.watch(request, call("watch", options), decodeObject)
        )
      ),
    getStatus: (name, options) =>
      run(Request.getStatus(resource, scope, name), call("get", options, name, "status"), decodeObject),
    replaceStatus: (name, object, params, options) =>
      run(
        withBody(object, (body) => Request.replaceStatus(resource, scope, name, body, params)),
        call("replace", options, name, "status"),
        decodeObject
      ),
    patchStatus: (name, patch, params, options) =>
      run(
        Request.patchStatus(resource, scope, name, patch, params),
        call("patch", options, name, "status"),
        decodeObject
      ),
    getScale: (name, options) =>
      run(Request.getScale(resource, scope, name), call("get", options, name, "scale"), decodeScale),
    replaceScale: (name, scale, params, options) =>
      run(
        Request.replaceScale(resource, scope, name, { apiVersion: "autoscaling/v1", kind: "Scale", ...scale }, params),
        call("replace", options, name, "scale"),
        decodeScale
      ),
    patchScale: (name, patch, params, options) =>
      run(Request.patchScale(resource, scope, name, patch, params), call("patch", options, name, "scale"), decodeScale),
    evict: (name, params, options) =>
      run(Request.evict(resource, scope, name, params), call("create", options, name, "eviction"), decodeStatus),
    log: (name, params, options) =>
      Stream.unwrap(
        Effect.map(Effect.fromResult(Request.log(resource, scope, name, params)), (request) =>
          client.lines(request, call("get", options, name, "log"))
        )
      ),
    getEphemeralContainers: (name, options) =>
      run(
        Request.getEphemeralContainers(resource, scope, name),
        call("get", options, name, "ephemeralcontainers"),
        decodeObject
      ),
    replaceEphemeralContainers: (name, object, params, options) =>
      run(
        withBody(object, (body) => Request.replaceEphemeralContainers(resource, scope, name, body, params)),
        call("replace", options, name, "ephemeralcontainers"),
        decodeObject
      ),
    patchEphemeralContainers: (name, patch, params, options) =>
      run(
        Request.patchEphemeralContainers(resource, scope, name, patch, params),
        call("patch", options, name, "ephemeralcontainers"),
        decodeObject
      ),
    listMetadata: (params, options) =>
      run(Request.listMetadata(resource, scope, params), call("list", options), decodeMetadataList),
    getMetadata: (name, params, options) =>
      run(Request.getMetadata(resource, scope, name, params), call("get", options, name), decodeMetadata),
    watchMetadata: (params, options) =>
      Stream.unwrap(
        Effect.map(Effect.fromResult(Request.watchMetadata(resource, scope, params)), (request) =>
          client.watch(request, call("watch", options), decodeMetadata)
        )
      )
  }
}

/**
 * A handle on a namespaced kind in one namespace; without a namespace, the
 * configuration's default namespace (the kubeconfig context's, the pod's own
 * in-cluster, else `default`).
 *
 * @category constructors
 */
export const namespaced = <K extends Resource.KubeObject>(
  resource: Resource.Resource<K>,
  namespace?: string
): Effect.Effect<Api<K>, never, KubeClient> =>
  KubeClient.use((client) =>
    Effect.succeed(make(client, resource, Resource.namespace(namespace ?? client.config.namespace)))
  )

/**
 * A handle on a namespaced kind across all namespaces (list and watch).
 *
 * @category constructors
 */
export const all = <K extends Resource.KubeObject>(
  resource: Resource.Resource<K>
): Effect.Effect<Api<K>, never, KubeClient> =>
  KubeClient.use((client) => Effect.succeed(make(client, resource, Resource.allNamespaces)))

/**
 * A handle on a cluster-scoped kind (nodes, namespaces, CRDs, cluster roles).
 *
 * @category constructors
 */
export const cluster = <K extends Resource.KubeObject>(
  resource: Resource.Resource<K>
): Effect.Effect<Api<K>, never, KubeClient> =>
  KubeClient.use((client) => Effect.succeed(make(client, resource, Resource.cluster)))
