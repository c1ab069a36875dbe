/**
 * Resource descriptors: what the client needs to know about a kind to address
 * it — group, version, kind, plural, whether it is namespaced, its verbs and
 * subresources, and the schemas of the object and its list. Generated modules
 * under `effect-kube/api` export one descriptor per built-in kind; `dynamic`
 * makes one for any kind known only at run time (`ApiResource`).
 *
 * Also here: the scope a request addresses (one namespace, all namespaces, or
 * the cluster) and the URL paths for each scope, for the core group
 * (`/api/v1`) and named groups (`/apis/<group>/<version>`).
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import { DynamicObject } from "./DynamicObject.js"
import * as ObjectList from "./ObjectList.js"
import type { ObjectMeta } from "./ObjectMeta.js"

/**
 * What every Kubernetes object has in common.
 *
 * @category models
 */
export interface KubeObject {
  readonly apiVersion?: string
  readonly kind?: string
  readonly metadata?: ObjectMeta
}

/**
 * A group, version and kind (`apps/v1 Deployment`). The core group is `""`.
 *
 * @category models
 */
export interface GroupVersionKind {
  readonly group: string
  readonly version: string
  readonly kind: string
}

/**
 * An API resource known without a schema: enough to build every request
 * (discovery returns these).
 *
 * @category models
 */
export interface ApiResource extends GroupVersionKind {
  /** `v1` for the core group, `<group>/<version>` otherwise. */
  readonly apiVersion: string
  /** The lower-case plural used in URLs (`pods`, `ingresses`). */
  readonly plural: string
  readonly namespaced: boolean
  /** The verbs the server supports (`get`, `list`, `watch`, `create`, ...); empty when unknown. */
  readonly verbs: ReadonlyArray<string>
  /** Subresource names (`status`, `scale`, `log`, `eviction`, `exec`, ...). */
  readonly subresources: ReadonlyArray<string>
}

/**
 * A typed resource descriptor: an `ApiResource` with the schemas that decode
 * its objects and lists.
 *
 * @category models
 */
export interface Resource<K extends KubeObject> extends ApiResource {
  readonly schema: Schema.Codec<K, unknown>
  readonly listSchema: Schema.Codec<ObjectList.ObjectList<K>, unknown>
}

/**
 * The `apiVersion` string of a group and version.
 *
 * @category constructors
 */
export const apiVersionOf = (group: string, version: string): string => (group === "" ? version : `${group}/${version}`)

/**
 * Splits an `apiVersion` into group and version (`apps/v1` → `apps`, `v1`;
 * `v1` → `""`, `v1`).
 *
 * @category constructors
 */
export const parseApiVersion = (apiVersion: string): { readonly group: string; readonly version: string } => {
  const slash = apiVersion.indexOf("/")
  return slash === -1
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

/**
 * Makes a typed descriptor from its parts; the list schema, unless given, is
 * derived from the object schema.
 *
 * @category constructors
 */
export const make = <K extends KubeObject>(options: {
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  readonly namespaced: boolean
  readonly verbs?: ReadonlyArray<string>
  readonly subresources?: ReadonlyArray<string>
  readonly schema: Schema.Codec<K, unknown>
  readonly listSchema?: Schema.Codec<ObjectList.ObjectList<K>, unknown>
}): Resource<K> => ({
  group: options.group,
  version: options.version,
  apiVersion: apiVersionOf(options.group, options.version),
  kind: options.kind,
  plural: options.plural,
  namespaced: options.namespaced,
  verbs: options.verbs ?? [],
  subresources: options.subresources ?? [],
  schema: options.schema,
  listSchema: options.listSchema ?? ObjectList.schema(options.schema)
})

/**
 * A descriptor for a kind known only at run time: objects decode as
 * `DynamicObject`, keeping every field.
 *
 * @category constructors
 */
export const dynamic = (resource: {
  readonly group: string
  readonly version: string
  readonly kind: string
  readonly plural: string
  readonly namespaced: boolean
  readonly verbs?: ReadonlyArray<string>
  readonly subresources?: ReadonlyArray<string>
}): Resource<DynamicObject> => make({ ...resource, schema: DynamicObject })

/**
 * The scope a request addresses.
 *
 * @category models
 */
export type Scope =
  | { readonly _tag: "Cluster" }
  | { readonly _tag: "Namespace"; readonly namespace: string }
  | { readonly _tag: "AllNamespaces" }

/** Cluster-scoped kinds (nodes, namespaces, CRDs). @category scopes */
export const cluster: Scope = { _tag: "Cluster" }
/** Every namespace at once (list and watch of namespaced kinds). @category scopes */
export const allNamespaces: Scope = { _tag: "AllNamespaces" }
/** One namespace. @category scopes */
export const namespace = (name: string): Scope => ({ _tag: "Namespace", namespace: name })

/**
 * The path prefix of a group-version: `/api/v1` or `/apis/<group>/<version>`.
 *
 * @category paths
 */
export const groupVersionPath = (resource: Pick<ApiResource, "group" | "version">): string =>
  resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`

/**
 * Escapes one path segment (a name or namespace); `encodeURIComponent` keeps
 * the characters Kubernetes names may contain and escapes everything else.
 */
const segment = (value: string): string => encodeURIComponent(value)

/**
 * The collection path of a resource in a scope, e.g.
 * `/api/v1/namespaces/default/pods`, `/apis/apps/v1/deployments` (all
 * namespaces) or `/api/v1/nodes` (cluster). A namespaced scope on a
 * cluster-scoped kind addresses the cluster; callers validate the pairing.
 *
 * @category paths
 */
export const collectionPath = (resource: ApiResource, scope: Scope): string => {
  const prefix = groupVersionPath(resource)
  return resource.namespaced && scope._tag === "Namespace"
    ? `${prefix}/namespaces/${segment(scope.namespace)}/${resource.plural}`
    : `${prefix}/${resource.plural}`
}

/**
 * The path of one object, optionally of one of its subresources:
 * `/api/v1/namespaces/default/pods/web-0/log`.
 *
 * @category paths
 */
export const objectPath = (resource: ApiResource, scope: Scope, name: string, subresource?: string): string => {
  const path = `${collectionPath(resource, scope)}/${segment(name)}`
  return subresource === undefined ? path : `${path}/${subresource}`
}
