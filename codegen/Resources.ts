/**
 * Resource descriptors read from the spec's paths. A resource is a collection
 * URL (`/api/v1/namespaces/{namespace}/pods`, `/apis/apps/v1/deployments`);
 * its kind is the group-version-kind of the operations on the collection and
 * its objects, its scope is whether it lives under `namespaces/{namespace}`,
 * its verbs are the actions of those operations, and its subresources are the
 * path segments after `{name}`. Nothing is guessed: a kind without a list
 * operation gets no descriptor.
 */
import type { GroupVersionKind, Operation } from "./Spec.js"

/** What the generator emits into `Resource.make` for one kind. */
export interface ResourceInfo extends GroupVersionKind {
  readonly plural: string
  readonly namespaced: boolean
  readonly verbs: ReadonlyArray<string>
  readonly subresources: ReadonlyArray<string>
  /** The definition named by the list operation's response (`io.k8s.api.core.v1.PodList`). */
  readonly listResponse: string | undefined
}

// x-kubernetes-action → the Kubernetes verb it implements (discovery's names).
const verbOfAction: Readonly<Record<string, string>> = {
  get: "get",
  list: "list",
  watch: "watch",
  watchlist: "watch",
  post: "create",
  put: "update",
  patch: "patch",
  delete: "delete",
  deletecollection: "deletecollection"
}

interface ParsedPath {
  readonly group: string
  readonly version: string
  readonly namespaced: boolean
  readonly plural: string
  /** The subresource, when the path addresses one object's subresource. */
  readonly subresource: string | undefined
}

const parsePath = (path: string): ParsedPath | undefined => {
  const segments = path.split("/").filter((segment) => segment !== "")
  let rest: Array<string>
  let group: string
  let version: string
  if (segments[0] === "api" && segments[1] !== undefined) {
    group = ""
    version = segments[1]
    rest = segments.slice(2)
  } else if (segments[0] === "apis" && segments[1] !== undefined && segments[2] !== undefined) {
    group = segments[1]
    version = segments[2]
    rest = segments.slice(3)
  } else {
    return undefined
  }
  // `/watch/...` paths are the deprecated form of `?watch=true` on the same resource.
  if (rest[0] === "watch") rest = rest.slice(1)
  const namespaced = rest[0] === "namespaces" && rest[1] === "{namespace}" && rest.length > 2
  if (namespaced) rest = rest.slice(2)
  const [plural, name, subresource] = rest
  if (plural === undefined || plural.startsWith("{")) return undefined
  if (name !== undefined && name !== "{name}") return undefined
  return { group, version, namespaced, plural, subresource }
}

const sameKind = (a: GroupVersionKind, b: GroupVersionKind): boolean =>
  a.group === b.group && a.version === b.version && a.kind === b.kind

interface Collecting {
  groupVersionKind: GroupVersionKind | undefined
  namespaced: boolean
  hasList: boolean
  listResponse: string | undefined
  readonly verbs: Set<string>
  readonly subresources: Set<string>
}

/**
 * Every resource the operations describe, keyed by `group/version/kind`.
 * `referenceOf` resolves a response schema to the definition it names.
 */
export const fromOperations = (
  operations: ReadonlyArray<Operation>,
  referenceOf: (response: NonNullable<Operation["response"]>) => string | undefined
): ReadonlyMap<string, ResourceInfo> => {
  const byCollection = new Map<string, Collecting>()
  for (const operation of operations) {
    if (operation.action === undefined) continue
    const parsed = parsePath(operation.path)
    if (parsed === undefined) continue
    const key = `${parsed.group}/${parsed.version}/${parsed.plural}`
    let resource = byCollection.get(key)
    if (resource === undefined) {
      resource = {
        groupVersionKind: undefined,
        namespaced: false,
        hasList: false,
        listResponse: undefined,
        verbs: new Set(),
        subresources: new Set()
      }
      byCollection.set(key, resource)
    }
    if (parsed.namespaced) resource.namespaced = true
    if (parsed.subresource !== undefined) {
      resource.subresources.add(parsed.subresource)
      continue
    }
    const gvk = operation.groupVersionKind
    if (gvk === undefined) throw new Error(`${operation.method} ${operation.path}: no x-kubernetes-group-version-kind`)
    if (gvk.group !== parsed.group || gvk.version !== parsed.version) {
      throw new Error(
        `${operation.method} ${operation.path}: kind ${gvk.group}/${gvk.version} ${gvk.kind} is not served here`
      )
    }
    if (resource.groupVersionKind !== undefined && !sameKind(resource.groupVersionKind, gvk)) {
      throw new Error(`${operation.path}: serves both ${resource.groupVersionKind.kind} and ${gvk.kind}`)
    }
    resource.groupVersionKind = gvk
    const verb = verbOfAction[operation.action]
    if (verb === undefined) throw new Error(`${operation.method} ${operation.path}: unknown action ${operation.action}`)
    resource.verbs.add(verb)
    if (operation.action === "list") {
      resource.hasList = true
      if (operation.response !== undefined) resource.listResponse = referenceOf(operation.response)
    }
  }
  const resources = new Map<string, ResourceInfo>()
  for (const [collection, resource] of [...byCollection].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const gvk = resource.groupVersionKind
    if (gvk === undefined || !resource.hasList) continue
    const key = `${gvk.group}/${gvk.version}/${gvk.kind}`
    const existing = resources.get(key)
    if (existing !== undefined) throw new Error(`${key} is served by both ${existing.plural} and ${collection}`)
    resources.set(key, {
      group: gvk.group,
      version: gvk.version,
      kind: gvk.kind,
      plural: collection.slice(collection.lastIndexOf("/") + 1),
      namespaced: resource.namespaced,
      verbs: [...resource.verbs].sort(),
      subresources: [...resource.subresources].sort(),
      listResponse: resource.listResponse
    })
  }
  return resources
}
