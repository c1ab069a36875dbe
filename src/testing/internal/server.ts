/**
 * The FakeKube API server: routes a request to discovery or to a resource,
 * authenticates and authorizes it, and runs the verb against the store with
 * kube-apiserver's semantics (validation, resourceVersion checks, status
 * subresource, finalizers, dry run, lists with selectors and pagination,
 * watches). The namespace and garbage-collector controllers run here too,
 * after the write that needs them, as the real controllers would shortly
 * after.
 */
import { randomBytes, randomUUID } from "node:crypto"
import * as Defaults from "./defaults.js"
import * as Discovery from "./discovery.js"
import type { ServerRequest, ServerResponse, WatchSink } from "./http.js"
import { cloneJson, isRecord, type JsonObject, jsonEqual, recordAt, setField, stringAt, stringsAt } from "./json.js"
import { OpenApiDocuments } from "./openapi.js"
import * as ServerSideApply from "./patch/ServerSideApply.js"
import * as Patching from "./patching.js"
import { builtInTypes, createOnlyTypes, fromCustomResourceDefinition, type ResourceType } from "./resourceTypes.js"
import * as Schemas from "./schemas.js"
import {
  compileFieldSelector,
  type FieldMatcher,
  type LabelSelector,
  parseFieldSelector,
  parseLabelSelector
} from "./selectors.js"
import * as Status from "./status.js"
import {
  type Change,
  eventFor,
  isObjectValue,
  keyOf,
  lowerBound,
  passes,
  type Snapshot,
  Store,
  Stored
} from "./store.js"
import { validateMetadata, validateObject } from "./validation.js"

/** Who a request authenticates as. */
export interface User {
  readonly user: string
  readonly groups: ReadonlyArray<string>
}

/** What `authorize` is asked. */
export interface AuthorizationRequest extends User {
  readonly verb: string
  readonly group: string
  readonly resource: string
  readonly subresource?: string
  readonly namespace?: string
  readonly name?: string
}

/** Server settings. */
export interface ServerOptions {
  readonly objects: ReadonlyArray<unknown>
  readonly watchHistory: number
  readonly bookmarkIntervalMillis: number
  /** Bearer token → user. */
  readonly tokens: ReadonlyMap<string, User>
  readonly authorize: ((request: AuthorizationRequest) => boolean) | undefined
  /** Who a request without credentials is (plain-HTTP serving, where clients send no credentials); `undefined`: 401. */
  readonly anonymous: User | undefined
}

const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

/** The `kubernetes` service every cluster has, at the first address of the service range. */
const kubernetesService = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
  spec: {
    ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: 443 }],
    clusterIP: Defaults.kubernetesServiceIp
  }
}

const generatedNameAlphabet = "bcdfghjklmnpqrstvwxz2456789"

/** `2024-01-02T03:04:05Z`: RFC 3339 at second precision, as metadata timestamps are. */
const timestamp = (millis: number): string => `${new Date(millis).toISOString().slice(0, 19)}Z`

const metadataOrder = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields"
]

/** Metadata with the server's key order and without empty values it omits. */
const orderMetadata = (metadata: JsonObject): JsonObject => {
  const ordered: JsonObject = {}
  for (const key of metadataOrder) {
    const value = metadata[key]
    if (value === undefined || value === null || value === "") continue
    if (Array.isArray(value) && value.length === 0) continue
    if (isRecord(value) && Object.keys(value).length === 0 && key !== "labels" && key !== "annotations") continue
    ordered[key] = value
  }
  for (const [key, value] of Object.entries(metadata))
    if (!(key in ordered) && !metadataOrder.includes(key) && value !== undefined) setField(ordered, key, value)
  return ordered
}

/** A JSON value with every object's keys sorted, as Go encodes the maps of an unstructured object. */
const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isRecord(value)) return value
  const sorted: JsonObject = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key])
  return sorted
}

/**
 * An object as the server encodes it: built-ins with `kind`, `apiVersion`,
 * `metadata` first and metadata in its struct order; custom resources
 * (unstructured) with every key sorted.
 */
const shape = (type: ResourceType, object: JsonObject, metadata: JsonObject): JsonObject => {
  const { kind: _kind, apiVersion: _apiVersion, metadata: _metadata, ...rest } = object
  const shaped = { kind: type.kind, apiVersion: type.apiVersion, metadata: orderMetadata(metadata), ...rest }
  if (!type.custom) return shaped
  const sorted = sortKeys(shaped)
  return isRecord(sorted) ? sorted : shaped
}

interface ParsedPath {
  readonly type: ResourceType
  readonly namespace: string | undefined
  readonly name: string | undefined
  readonly subresource: string | undefined
}

interface ListFilter {
  readonly namespace: string | undefined
  readonly labels: LabelSelector
  readonly fields: FieldMatcher | undefined
}

const json = (
  status: number,
  body: string,
  headers: Record<string, string | ReadonlyArray<string>> = {}
): ServerResponse => ({
  _tag: "Complete",
  status,
  headers: { "content-type": "application/json", ...headers },
  body
})

const statusResponse = (status: Status.StatusBody): ServerResponse => json(status.code, JSON.stringify(status))

const continueMessage =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

const encodeContinue = (resourceVersion: number, lastKey: string): string =>
  Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: resourceVersion, start: `${lastKey}\u0000` })).toString(
    "base64url"
  )

const decodeContinue = (token: string): { readonly resourceVersion: number; readonly start: string } => {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"))
  } catch (error) {
    throw Status.badRequest(
      `invalid continue token: continue key is not valid: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  if (!isRecord(parsed) || parsed.v !== "meta.k8s.io/v1")
    throw Status.badRequest(
      "invalid continue token: continue key is not valid: server does not recognize this encoded version"
    )
  const resourceVersion = parsed.rv
  const start = parsed.start
  if (typeof resourceVersion !== "number" || typeof start !== "string" || resourceVersion <= 0)
    throw Status.badRequest(
      "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
    )
  return { resourceVersion, start }
}

const parseResourceVersion = (text: string, what = "resourceVersion"): number => {
  if (!/^\d+$/.test(text)) throw Status.badRequest(`${what}: Invalid value: "${text}": must be a non-negative integer`)
  return Number(text)
}

const isTrue = (value: string | null): boolean => value === "true" || value === "1"

/** The metadata-only media type asked for by `Accept`, if any. */
const metadataAccept = (accept: string | undefined): "object" | "list" | undefined => {
  if (accept === undefined || !accept.includes("as=PartialObjectMetadata")) return undefined
  return accept.includes("as=PartialObjectMetadataList") ? "list" : "object"
}

/** The FakeKube server: state, controllers and the request handler. */
export class Server {
  readonly store: Store
  private readonly types = new Map<string, ResourceType>()
  private readonly customTypes = new Map<string, ReadonlyArray<ResourceType>>()
  private readonly owners = new Map<string, Set<string>>()
  private readonly byUid = new Map<string, { readonly storage: string; readonly key: string }>()
  private readonly typeByStorage = new Map<string, ResourceType>()
  private readonly openWatches = new Set<() => void>()
  private readonly openApi = new OpenApiDocuments()
  private pendingControllers = false
  private closed = false

  constructor(readonly options: ServerOptions) {
    this.store = new Store(options.watchHistory)
    for (const type of builtInTypes) this.register(type)
    for (const type of createOnlyTypes) this.register(type)
    for (const name of systemNamespaces) this.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name } })
    this.seed(kubernetesService)
    for (const object of options.objects) this.seed(object)
    this.runControllers()
  }

  // ---------------------------------------------------------------- types

  private register(type: ResourceType): void {
    this.types.set(`${type.group}/${type.version}/${type.plural}`, type)
    if (!this.typeByStorage.has(type.storage)) this.typeByStorage.set(type.storage, type)
  }

  /** Every served type, built-in and custom. */
  servedTypes(): ReadonlyArray<ResourceType> {
    return [...this.types.values()]
  }

  /** The served type of an apiVersion and kind. */
  typeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
    for (const type of this.types.values()) if (type.apiVersion === apiVersion && type.kind === kind) return type
    return undefined
  }

  /** The served type of a group, version and plural. */
  typeOf(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${plural}`)
  }

  private customResourceDefinitionChanged(crd: Stored | undefined, name: string): void {
    const previous = this.customTypes.get(name) ?? []
    for (const type of previous) this.types.delete(`${type.group}/${type.version}/${type.plural}`)
    this.customTypes.delete(name)
    if (crd === undefined) {
      const storage = previous[0]?.storage
      if (storage !== undefined) {
        this.typeByStorage.delete(storage)
        this.store.dropCollection(storage)
      }
      return
    }
    const types = fromCustomResourceDefinition(crd.value)
    this.customTypes.set(name, types)
    for (const type of types) {
      this.types.set(`${type.group}/${type.version}/${type.plural}`, type)
      this.typeByStorage.set(type.storage, type)
      this.store.startCollection(type.storage)
    }
  }

  // ---------------------------------------------------------------- writes

  private commit(type: ResourceType, change: Change): void {
    const collection = this.store.collection(type)
    const previousOwners = change.previous === undefined ? [] : ownerUids(change.previous.value)
    const entry = `${type.storage}\n${change.object.key}`
    for (const uid of previousOwners) this.owners.get(uid)?.delete(entry)
    const uid = stringAt(change.object.metadata, "uid")
    if (change.type === "DELETED") {
      if (uid !== undefined) this.byUid.delete(uid)
    } else {
      if (uid !== undefined) this.byUid.set(uid, { storage: type.storage, key: change.object.key })
      for (const owner of ownerUids(change.object.value)) {
        let set = this.owners.get(owner)
        if (set === undefined) {
          set = new Set()
          this.owners.set(owner, set)
        }
        set.add(entry)
      }
    }
    collection.apply(change)
    if (type.group === "apiextensions.k8s.io" && type.kind === "CustomResourceDefinition")
      this.customResourceDefinitionChanged(change.type === "DELETED" ? undefined : change.object, change.object.name)
    if (change.type === "DELETED" || change.object.metadata.deletionTimestamp !== undefined) this.scheduleControllers()
  }

  /** Stores an object as given (seeding): metadata the server owns is filled in when missing. */
  seed(input: unknown): Stored {
    if (!isObjectValue(input)) throw Status.badRequest("a seed object must be a JSON object")
    const apiVersion = stringAt(input, "apiVersion") ?? ""
    const kind = stringAt(input, "kind") ?? ""
    const type = this.typeOfKind(apiVersion, kind)
    if (type === undefined) throw Status.badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`)
    const object = this.defaulted(type, cloneJson(input), undefined)
    const metadata = recordAt(object, "metadata")
    const name = stringAt(metadata, "name") ?? ""
    if (name === "") throw Status.badRequest(`a seed ${kind} needs metadata.name`)
    const namespace = type.namespaced ? (stringAt(metadata, "namespace") ?? "default") : undefined
    if (namespace !== undefined && !this.namespaceExists(namespace))
      this.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } })
    const collection = this.store.collection(type)
    const previous = collection.objects.get(keyOf(namespace ?? "", name))
    const resourceVersion = this.store.nextResourceVersion()
    const prepared: JsonObject = {
      ...metadata,
      ...(namespace === undefined ? {} : { namespace }),
      uid: stringAt(metadata, "uid") ?? randomUUID(),
      resourceVersion: String(resourceVersion),
      creationTimestamp: stringAt(metadata, "creationTimestamp") ?? timestamp(Date.now()),
      ...(type.hasGeneration && metadata.generation === undefined ? { generation: 1 } : {})
    }
    if (namespace === undefined) delete prepared.namespace
    let value = shape(type, object, prepared)
    if (type.group === "" && type.kind === "Namespace") value = defaultNamespace(value)
    const stored = new Stored(value, resourceVersion)
    this.commit(type, {
      resourceVersion,
      type: previous === undefined ? "ADDED" : "MODIFIED",
      object: stored,
      previous
    })
    if (type.kind === "CustomResourceDefinition" && type.group === "apiextensions.k8s.io") this.acceptDefinition(stored)
    return stored
  }

  /** The stored object, if any. */
  get(type: ResourceType, namespace: string | undefined, name: string): Stored | undefined {
    return this.store.collection(type).objects.get(keyOf(type.namespaced ? (namespace ?? "") : "", name))
  }

  private namespaceType(): ResourceType {
    const type = this.typeOf("", "v1", "namespaces")
    if (type === undefined) throw Status.internalError("namespaces are not registered")
    return type
  }

  private namespaceExists(namespace: string): boolean {
    return this.get(this.namespaceType(), undefined, namespace) !== undefined
  }

  /** The CRD controller: Established and NamesAccepted, accepted names, stored versions. */
  private acceptDefinition(crd: Stored): void {
    const spec = recordAt(crd.value, "spec")
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : []
    const storageVersion = versions.find((version) => version.storage === true)?.name
    const now = timestamp(Date.now())
    const condition = (type: string, reason: string, message: string) => ({
      type,
      status: "True",
      lastTransitionTime: now,
      reason,
      message
    })
    const status = {
      conditions: [
        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
        condition("Established", "InitialNamesAccepted", "the initial names have been accepted")
      ],
      acceptedNames: recordAt(spec, "names"),
      storedVersions: typeof storageVersion === "string" ? [storageVersion] : []
    }
    const current = recordAt(crd.value, "status")
    if (jsonEqual(current.conditions, status.conditions) && jsonEqual(current.acceptedNames, status.acceptedNames))
      return
    const type = this.typeOfKind("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    if (type === undefined) return
    const resourceVersion = this.store.nextResourceVersion()
    const stored = new Stored(
      { ...crd.value, metadata: { ...crd.metadata, resourceVersion: String(resourceVersion) }, status },
      resourceVersion
    )
    this.commit(type, { resourceVersion, type: "MODIFIED", object: stored, previous: crd })
  }

  // ---------------------------------------------------------------- defaulting

  /** A built-in object with its kind's defaults and, for a Service, its allocated addresses (`previous`: the stored version an update replaces). */
  private defaulted(type: ResourceType, object: JsonObject, previous: JsonObject | undefined): JsonObject {
    if (type.custom) return object
    const defaulted = Defaults.applyDefaults(type.apiVersion, type.kind, object)
    if (type.group !== "" || type.kind !== "Service") return defaulted
    const metadata = recordAt(defaulted, "metadata")
    const key = keyOf(stringAt(metadata, "namespace") ?? "", stringAt(metadata, "name") ?? "")
    const clusterIps = new Set<string>()
    const nodePorts = new Set<number>()
    for (const service of this.store.collection(type).objects.values()) {
      if (previous !== undefined && service.key === key) continue
      const spec = recordAt(service.value, "spec")
      for (const address of stringsAt(spec, "clusterIPs")) clusterIps.add(address)
      const ports = Array.isArray(spec.ports) ? spec.ports : []
      for (const port of ports) if (isRecord(port) && typeof port.nodePort === "number") nodePorts.add(port.nodePort)
    }
    const allocation = Defaults.allocateServiceAddresses(
      recordAt(defaulted, "spec"),
      previous === undefined ? undefined : recordAt(previous, "spec"),
      { clusterIps, nodePorts }
    )
    const name = stringAt(metadata, "name") ?? ""
    switch (allocation._tag) {
      case "Allocated":
        return allocation.spec === defaulted.spec ? defaulted : { ...defaulted, spec: allocation.spec }
      case "Invalid":
        throw Status.invalid(type, name, [
          { type: "Invalid", field: allocation.field, value: allocation.value, detail: allocation.detail }
        ])
      case "Full":
        throw Status.internalError(allocation.message)
    }
  }

  /** A pod as the DefaultTolerationSeconds and Priority admission plugins leave it on create. */
  private admitPod(type: ResourceType, pod: JsonObject, name: string): JsonObject {
    const priorityClasses = this.typeOf("scheduling.k8s.io", "v1", "priorityclasses")
    const admitted = Defaults.admitPod(pod, (className) => {
      const found = priorityClasses === undefined ? undefined : this.get(priorityClasses, undefined, className)
      if (found === undefined) return undefined
      const value = found.value.value
      return {
        value: typeof value === "number" ? value : 0,
        preemptionPolicy: stringAt(found.value, "preemptionPolicy") ?? "PreemptLowerPriority"
      }
    })
    if (admitted._tag === "MissingPriorityClass")
      throw Status.forbidden(type, name, `no PriorityClass with name ${admitted.name} was found`)
    return admitted.pod
  }

  // ---------------------------------------------------------------- controllers

  private scheduleControllers(): void {
    if (this.pendingControllers || this.closed) return
    this.pendingControllers = true
    setImmediate(() => {
      this.pendingControllers = false
      if (!this.closed) this.runControllers()
    })
  }

  /**
   * One pass of the namespace and garbage-collector controllers: terminating
   * namespaces are emptied and removed; dependents of deleted owners are
   * deleted (background) or released (orphan); owners waiting in foreground
   * deletion go once their dependents are gone.
   */
  private runControllers(): void {
    const namespaces = this.store.collection(this.namespaceType())
    for (const namespace of [...namespaces.objects.values()]) {
      if (namespace.metadata.deletionTimestamp === undefined) continue
      let remaining = 0
      for (const type of this.typeByStorage.values()) {
        if (!type.namespaced) continue
        const collection = this.store.collection(type)
        for (const key of collection.keysIn(namespace.name)) {
          remaining++
          const object = collection.objects.get(key)
          if (object !== undefined && object.metadata.deletionTimestamp === undefined)
            this.deleteObject(type, object, { propagation: "Background", dryRun: false, gracePeriodSeconds: undefined })
        }
      }
      if (remaining === 0) {
        const current = namespaces.objects.get(namespace.key)
        if (current !== undefined) this.remove(this.namespaceType(), current)
      }
    }
    for (const [ownerUid, dependents] of [...this.owners]) {
      if (dependents.size === 0) {
        this.owners.delete(ownerUid)
        continue
      }
      const owner = this.byUid.get(ownerUid)
      const ownerObject =
        owner === undefined ? undefined : this.store.collection({ storage: owner.storage }).objects.get(owner.key)
      const finalizers = ownerObject === undefined ? [] : stringsAt(ownerObject.metadata, "finalizers")
      const orphaning =
        ownerObject !== undefined &&
        ownerObject.metadata.deletionTimestamp !== undefined &&
        finalizers.includes("orphan")
      const foreground =
        ownerObject !== undefined &&
        ownerObject.metadata.deletionTimestamp !== undefined &&
        finalizers.includes("foregroundDeletion")
      if (ownerObject !== undefined && !orphaning && !foreground) continue
      for (const entry of [...dependents]) {
        const [storage = "", key = ""] = entry.split("\n")
        const type = this.typeByStorage.get(storage)
        const dependent = type === undefined ? undefined : this.store.collection(type).objects.get(key)
        if (type === undefined || dependent === undefined) {
          dependents.delete(entry)
          continue
        }
        const references = Array.isArray(dependent.metadata.ownerReferences)
          ? dependent.metadata.ownerReferences.filter(isRecord)
          : []
        const others = references.filter((reference) => reference.uid !== ownerUid)
        const othersAlive = others.some(
          (reference) => typeof reference.uid === "string" && this.byUid.has(reference.uid)
        )
        if (orphaning || othersAlive) {
          this.internalUpdate(type, dependent, { ...dependent.metadata, ownerReferences: others })
        } else if (dependent.metadata.deletionTimestamp === undefined) {
          this.deleteObject(type, dependent, {
            propagation: foreground ? "Foreground" : "Background",
            dryRun: false,
            gracePeriodSeconds: undefined
          })
        }
      }
    }
    for (const [ownerUid, location] of [...this.byUid]) {
      const type = this.typeByStorage.get(location.storage)
      const object = type === undefined ? undefined : this.store.collection(type).objects.get(location.key)
      if (type === undefined || object === undefined || object.metadata.deletionTimestamp === undefined) continue
      const finalizers = stringsAt(object.metadata, "finalizers")
      const waiting = (this.owners.get(ownerUid)?.size ?? 0) > 0
      const released = finalizers.filter(
        (finalizer) => !((finalizer === "orphan" || finalizer === "foregroundDeletion") && !waiting)
      )
      if (released.length !== finalizers.length)
        this.internalUpdate(type, object, { ...object.metadata, finalizers: released })
    }
  }

  /** A controller's metadata write (no validation, no admission); removes the object when its last finalizer goes. */
  private internalUpdate(type: ResourceType, current: Stored, metadata: JsonObject): void {
    if (metadata.deletionTimestamp !== undefined && stringsAt(metadata, "finalizers").length === 0) {
      this.remove(type, current)
      return
    }
    const resourceVersion = this.store.nextResourceVersion()
    const value = shape(type, current.value, { ...metadata, resourceVersion: String(resourceVersion) })
    this.commit(type, {
      resourceVersion,
      type: "MODIFIED",
      object: new Stored(value, resourceVersion),
      previous: current
    })
  }

  private remove(type: ResourceType, current: Stored): Stored {
    const resourceVersion = this.store.nextResourceVersion()
    const object = current.withResourceVersion(resourceVersion)
    this.commit(type, { resourceVersion, type: "DELETED", object, previous: current })
    return object
  }

  // ---------------------------------------------------------------- handler

  /** Handles one request. */
  handle(request: ServerRequest): ServerResponse {
    try {
      return this.route(request)
    } catch (error) {
      return statusResponse(Status.statusOf(error))
    }
  }

  private authenticate(request: ServerRequest): User {
    const authorization = request.header("authorization") ?? ""
    if (authorization === "" && this.options.anonymous !== undefined) return this.options.anonymous
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim())
    const user = match?.[1] === undefined ? undefined : this.options.tokens.get(match[1])
    if (user === undefined) throw Status.unauthorized()
    return user
  }

  private route(request: ServerRequest): ServerResponse {
    const path = request.path.replace(/\/+$/, "") || "/"
    if (path === "/healthz" || path === "/readyz" || path === "/livez")
      return { _tag: "Complete", status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "ok" }
    const user = this.authenticate(request)
    if (path === "/version") return json(200, JSON.stringify(Discovery.version))
    if (path === "/api") return json(200, JSON.stringify(Discovery.apiVersions()))
    if (path === "/apis") return json(200, JSON.stringify(Discovery.groupList(this.servedTypes())))
    if (path === "/openapi/v2") return json(200, this.openApi.swagger(this.servedTypes()))
    if (path === "/openapi/v3") return json(200, this.openApi.index(this.servedTypes()))
    if (path.startsWith("/openapi/v3/")) {
      const document = this.openApi.groupVersion(path.slice("/openapi/v3/".length), this.servedTypes())
      if (document === undefined) throw Status.pathNotFound()
      return json(200, document)
    }
    const segments = path.split("/").slice(1).map(decodeURIComponent)
    let rest: Array<string>
    let group: string
    let version: string
    if (segments[0] === "api" && segments.length >= 2) {
      group = ""
      version = segments[1] ?? ""
      rest = segments.slice(2)
    } else if (segments[0] === "apis" && segments.length >= 3) {
      group = segments[1] ?? ""
      version = segments[2] ?? ""
      rest = segments.slice(3)
    } else if (segments[0] === "apis" && segments.length === 2) {
      const groupTypes = this.servedTypes().filter((type) => type.group === segments[1])
      if (groupTypes.length === 0) throw Status.pathNotFound()
      return json(200, JSON.stringify(Discovery.group(segments[1] ?? "", groupTypes)))
    } else throw Status.pathNotFound()
    if (rest.length === 0) {
      const types = this.servedTypes().filter((type) => type.group === group && type.version === version)
      if (types.length === 0) throw Status.pathNotFound()
      return json(200, JSON.stringify(Discovery.resourceList(group, version, types)))
    }
    let watchPath = false
    if (rest[0] === "watch") {
      watchPath = true
      rest = rest.slice(1)
    }
    const parsed = this.parseResourcePath(group, version, rest)
    return this.serveResource(request, user, parsed, watchPath)
  }

  private parseResourcePath(group: string, version: string, rest: ReadonlyArray<string>): ParsedPath {
    const find = (plural: string | undefined) => {
      const type = plural === undefined ? undefined : this.typeOf(group, version, plural)
      if (type === undefined) throw Status.pathNotFound()
      return type
    }
    if (
      rest[0] === "namespaces" &&
      rest.length >= 3 &&
      !(group === "" && rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))
    ) {
      const type = find(rest[2])
      if (!type.namespaced || rest.length > 5) throw Status.pathNotFound()
      return { type, namespace: rest[1], name: rest[3], subresource: rest[4] }
    }
    const type = find(rest[0])
    if (rest.length > 3) throw Status.pathNotFound()
    return { type, namespace: undefined, name: rest[1], subresource: rest[2] }
  }

  private authorizeRequest(user: User, verb: string, path: ParsedPath): void {
    const authorize = this.options.authorize
    if (authorize === undefined) return
    const request: AuthorizationRequest = {
      ...user,
      verb,
      group: path.type.group,
      resource: path.type.plural,
      ...(path.subresource === undefined ? {} : { subresource: path.subresource }),
      ...(path.namespace === undefined ? {} : { namespace: path.namespace }),
      ...(path.name === undefined ? {} : { name: path.name })
    }
    if (authorize(request)) return
    const resource = path.subresource === undefined ? path.type.plural : `${path.type.plural}/${path.subresource}`
    const scope = path.namespace === undefined ? "at the cluster scope" : `in the namespace "${path.namespace}"`
    throw Status.forbidden(
      path.type,
      path.name ?? "",
      `User "${user.user}" cannot ${verb} resource "${resource}" in API group "${path.type.group}" ${scope}`
    )
  }

  private serveResource(request: ServerRequest, user: User, path: ParsedPath, watchPath: boolean): ServerResponse {
    const { type, name, subresource } = path
    const method = request.method.toUpperCase()
    const query = request.query
    if (
      subresource !== undefined &&
      !type.subresources.includes(subresource) &&
      !(type.kind === "Namespace" && subresource === "finalize")
    )
      throw Status.pathNotFound()
    if (subresource !== undefined && subresource !== "status" && subresource !== "scale" && subresource !== "finalize")
      throw Status.pathNotFound()
    if (name === undefined) {
      const watching = watchPath || isTrue(query.get("watch"))
      const verb =
        method === "GET"
          ? watching
            ? "watch"
            : "list"
          : method === "POST"
            ? "create"
            : method === "DELETE"
              ? "deletecollection"
              : ""
      if (verb === "" || !type.verbs.includes(verb)) throw Status.methodNotSupported(type, method)
      this.authorizeRequest(user, verb, path)
      if (createOnlyTypes.includes(type)) return this.review(request, user, path)
      if (verb === "watch") return this.watch(request, path)
      if (verb === "list") return this.list(request, path)
      if (verb === "create") return this.create(request, path)
      return this.deleteCollection(request, path)
    }
    const verb =
      method === "GET"
        ? watchPath || isTrue(query.get("watch"))
          ? "watch"
          : "get"
        : method === "PUT"
          ? "update"
          : method === "PATCH"
            ? "patch"
            : method === "DELETE"
              ? "delete"
              : ""
    if (verb === "" || (subresource === undefined && !type.verbs.includes(verb)))
      throw Status.methodNotSupported(type, method)
    this.authorizeRequest(user, verb, path)
    switch (verb) {
      case "watch":
        return this.watch(request, { ...path, name: undefined }, name)
      case "get":
        return this.getResponse(request, path, name)
      case "update":
        return this.update(request, path, name)
      case "patch":
        return this.patch(request, path, name)
      default:
        return this.delete(request, path, name)
    }
  }

  private encodeObject(type: ResourceType, object: Stored, accept: string | undefined): string {
    if (metadataAccept(accept) !== undefined) return object.metadataJson()
    return object.json(type.kind, type.apiVersion)
  }

  private getResponse(request: ServerRequest, path: ParsedPath, name: string): ServerResponse {
    const object = this.get(path.type, path.namespace, name)
    if (object === undefined) throw Status.notFound(path.type, name)
    if (path.subresource === "scale") return json(200, JSON.stringify(Scale.toScale(path.type, object.value)))
    return json(200, this.encodeObject(path.type, object, request.header("accept")))
  }

  // ---------------------------------------------------------------- reviews

  /**
   * A create of a review kind, answered and not stored: SelfSubjectReview
   * (who the caller is), TokenReview (a configured token's user),
   * (Self|Local)SubjectAccessReview (the `authorize` function's answer) and
   * SelfSubjectRulesReview (no rules, marked incomplete). Bindings are not
   * modelled (no scheduler): 405.
   */
  private review(request: ServerRequest, user: User, path: ParsedPath): ServerResponse {
    const type = path.type
    const input = this.parseBody(type, request.body)
    const spec = recordAt(input, "spec")
    const userInfo = (who: User) => ({ username: who.user, ...(who.groups.length === 0 ? {} : { groups: who.groups }) })
    const allowed = (who: User): JsonObject => {
      const attributes = recordAt(spec, "resourceAttributes")
      const namespace = stringAt(attributes, "namespace") ?? path.namespace
      const name = stringAt(attributes, "name")
      const subresource = stringAt(attributes, "subresource")
      const authorize = this.options.authorize
      const verdict =
        authorize === undefined ||
        authorize({
          ...who,
          verb: stringAt(attributes, "verb") ?? "",
          group: stringAt(attributes, "group") ?? "",
          resource: stringAt(attributes, "resource") ?? "",
          ...(subresource === undefined || subresource === "" ? {} : { subresource }),
          ...(namespace === undefined || namespace === "" ? {} : { namespace }),
          ...(name === undefined || name === "" ? {} : { name })
        })
      return { allowed: verdict }
    }
    let status: JsonObject
    switch (type.kind) {
      case "SelfSubjectReview":
        status = { userInfo: userInfo(user) }
        break
      case "TokenReview": {
        const reviewed = this.options.tokens.get(stringAt(spec, "token") ?? "")
        status =
          reviewed === undefined
            ? { user: {}, error: "invalid bearer token" }
            : { authenticated: true, user: userInfo(reviewed), audiences: stringsAt(spec, "audiences") }
        break
      }
      case "SelfSubjectAccessReview":
        status = allowed(user)
        break
      case "SubjectAccessReview":
      case "LocalSubjectAccessReview":
        status = allowed({ user: stringAt(spec, "user") ?? "", groups: stringsAt(spec, "groups") })
        break
      case "SelfSubjectRulesReview":
        status = { resourceRules: [], nonResourceRules: [], incomplete: true }
        break
      default:
        throw Status.methodNotSupported(type, "create")
    }
    return json(
      201,
      JSON.stringify({
        kind: type.kind,
        apiVersion: type.apiVersion,
        metadata: {},
        spec,
        status
      })
    )
  }

  // ---------------------------------------------------------------- list

  private filterOf(request: ServerRequest, path: ParsedPath): ListFilter {
    const labels = parseLabelSelector(request.query.get("labelSelector") ?? "")
    const fields = compileFieldSelector(path.type, parseFieldSelector(request.query.get("fieldSelector") ?? ""))
    return { namespace: path.namespace, labels, fields }
  }

  private list(request: ServerRequest, path: ParsedPath): ServerResponse {
    const query = request.query
    const filter = this.filterOf(request, path)
    const collection = this.store.collection(path.type)
    const resourceVersionText = query.get("resourceVersion") ?? ""
    const match = query.get("resourceVersionMatch") ?? ""
    const limitText = query.get("limit") ?? ""
    const limit = limitText === "" ? 0 : Number(limitText)
    const continueToken = query.get("continue") ?? ""
    if (match !== "" && resourceVersionText === "")
      throw Status.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
        {
          type: "Forbidden",
          field: "resourceVersionMatch",
          detail: "resourceVersionMatch is forbidden unless resourceVersion is provided"
        }
      ])
    if (match !== "" && match !== "Exact" && match !== "NotOlderThan")
      throw Status.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
        {
          type: "NotSupported",
          field: "resourceVersionMatch",
          value: match,
          detail: 'supported values: "Exact", "NotOlderThan", ""'
        }
      ])
    let snapshotVersion = this.store.resourceVersion
    let snapshot: Snapshot = collection.live()
    let start = ""
    if (continueToken !== "") {
      if (resourceVersionText !== "" && resourceVersionText !== "0")
        throw Status.badRequest("specifying resource version is not allowed when using continue")
      const decoded = decodeContinue(continueToken)
      const at = collection.at(decoded.resourceVersion)
      if (at === undefined) {
        const status = Status.expired(continueMessage).status
        const keys = collection.keysIn(filter.namespace)
        const next = keys.find((key) => key >= decoded.start)
        return statusResponse({
          ...status,
          metadata: next === undefined ? {} : { continue: encodeContinue(this.store.resourceVersion, decoded.start) }
        })
      }
      snapshot = at
      snapshotVersion = decoded.resourceVersion
      start = decoded.start
    } else if (resourceVersionText !== "" && resourceVersionText !== "0") {
      const requested = parseResourceVersion(resourceVersionText)
      if (match === "Exact") {
        if (requested > this.store.resourceVersion)
          throw Status.tooLargeResourceVersion(requested, this.store.resourceVersion)
        const at = collection.at(requested)
        if (at === undefined) throw Status.expired("The resourceVersion for the provided list is too old.")
        snapshot = at
        snapshotVersion = requested
      } else if (requested > this.store.resourceVersion) {
        throw Status.tooLargeResourceVersion(requested, this.store.resourceVersion)
      } else if (match === "" && limit > 0) {
        const at = collection.at(requested)
        if (at === undefined) throw Status.expired("The resourceVersion for the provided list is too old.")
        snapshot = at
        snapshotVersion = requested
      }
    }
    const keys = collection.keysIn(filter.namespace, snapshot.keys)
    let index = start === "" ? 0 : lowerBound(keys, start)
    const metadataOnly = metadataAccept(request.header("accept")) !== undefined
    const items: Array<string> = []
    const filtered = filter.labels.length > 0 || filter.fields !== undefined
    let lastKey: string | undefined
    let more = false
    for (; index < keys.length; index++) {
      const key = keys[index] ?? ""
      const object = snapshot.objects.get(key)
      if (object === undefined || !passes(filter, object)) continue
      if (limit > 0 && items.length >= limit) {
        more = true
        break
      }
      items.push(
        metadataOnly
          ? object.metadataJson()
          : path.type.custom
            ? object.json(path.type.kind, path.type.apiVersion)
            : object.itemJson()
      )
      lastKey = key
    }
    let remaining = 0
    if (more && !filtered) remaining = keys.length - index
    const listMeta: JsonObject = { resourceVersion: String(snapshotVersion) }
    if (more && lastKey !== undefined) {
      listMeta.continue = encodeContinue(snapshotVersion, lastKey)
      if (!filtered) listMeta.remainingItemCount = remaining
    }
    const kind = metadataOnly ? "PartialObjectMetadataList" : path.type.listKind
    const apiVersion = metadataOnly ? "meta.k8s.io/v1" : path.type.apiVersion
    return json(
      200,
      `{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[${items.join(",")}]}`
    )
  }

  // ---------------------------------------------------------------- watch

  private watch(request: ServerRequest, path: ParsedPath, name?: string): ServerResponse {
    const query = request.query
    const filter = this.filterOf(request, path)
    const fields: FieldMatcher | undefined =
      name === undefined
        ? filter.fields
        : (object) =>
            stringAt(recordAt(object, "metadata"), "name") === name &&
            (filter.fields === undefined || filter.fields(object))
    const watchFilter = { ...filter, fields }
    const collection = this.store.collection(path.type)
    const resourceVersionText = query.get("resourceVersion") ?? ""
    const match = query.get("resourceVersionMatch") ?? ""
    const sendInitialEvents = query.get("sendInitialEvents")
    const bookmarks = isTrue(query.get("allowWatchBookmarks"))
    const timeoutText = query.get("timeoutSeconds") ?? ""
    const timeoutSeconds = timeoutText === "" ? undefined : Number(timeoutText)
    if (sendInitialEvents !== null) {
      if (match !== "NotOlderThan")
        throw Status.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
          {
            type: "Forbidden",
            field: "resourceVersionMatch",
            detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
          }
        ])
      if (!bookmarks)
        throw Status.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
          {
            type: "Forbidden",
            field: "allowWatchBookmarks",
            detail: "allowWatchBookmarks must be set to true when sendInitialEvents is set"
          }
        ])
    } else if (match !== "") {
      throw Status.invalid({ group: "meta.k8s.io", kind: "ListOptions" }, "", [
        {
          type: "Forbidden",
          field: "resourceVersionMatch",
          detail: "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
        }
      ])
    }
    const initial =
      sendInitialEvents === null ? resourceVersionText === "" || resourceVersionText === "0" : isTrue(sendInitialEvents)
    let since = this.store.resourceVersion
    let expiredAt: number | undefined
    if (!initial && resourceVersionText !== "" && resourceVersionText !== "0") {
      since = parseResourceVersion(resourceVersionText)
      if (since > this.store.resourceVersion) throw Status.tooLargeResourceVersion(since, this.store.resourceVersion)
      if (since < collection.floor) expiredAt = since
    } else if (initial && resourceVersionText !== "" && resourceVersionText !== "0") {
      const requested = parseResourceVersion(resourceVersionText)
      if (requested > this.store.resourceVersion)
        throw Status.tooLargeResourceVersion(requested, this.store.resourceVersion)
    }
    const metadataOnly = metadataAccept(request.header("accept")) !== undefined
    const encode = (type: string, object: Stored) =>
      `{"type":"${type}","object":${metadataOnly ? object.metadataJson() : object.json(path.type.kind, path.type.apiVersion)}}\n`
    const bookmark = (annotations?: JsonObject) =>
      `{"type":"BOOKMARK","object":{"kind":${JSON.stringify(metadataOnly ? "PartialObjectMetadata" : path.type.kind)},"apiVersion":${JSON.stringify(metadataOnly ? "meta.k8s.io/v1" : path.type.apiVersion)},"metadata":{"resourceVersion":"${this.store.resourceVersion}","creationTimestamp":null${annotations === undefined ? "" : `,"annotations":${JSON.stringify(annotations)}`}}}}\n`
    return {
      _tag: "Stream",
      status: 200,
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      start: (sink: WatchSink) => {
        if (expiredAt !== undefined) {
          const status = Status.expired(`too old resource version: ${expiredAt} (${collection.floor})`).status
          sink.write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`)
          sink.end()
          return () => {}
        }
        let open = true
        const timers: Array<ReturnType<typeof setTimeout>> = []
        const stop = () => {
          if (!open) return
          open = false
          collection.watchers.delete(watcher)
          this.openWatches.delete(finish)
          for (const timer of timers) clearTimeout(timer)
        }
        const finish = () => {
          if (!open) return
          stop()
          sink.end()
        }
        const watcher = {
          ...watchFilter,
          deliver: (type: string, object: Stored) => {
            if (open) sink.write(encode(type, object))
          }
        }
        const lines: Array<string> = []
        if (initial) {
          const snapshot = collection.live()
          for (const key of collection.keysIn(watchFilter.namespace, snapshot.keys)) {
            const object = snapshot.objects.get(key)
            if (object !== undefined && passes(watchFilter, object)) lines.push(encode("ADDED", object))
          }
          if (sendInitialEvents !== null) lines.push(bookmark({ "k8s.io/initial-events-end": "true" }))
        } else {
          for (const change of collection.changesAfter(since)) {
            const event = eventFor(watchFilter, change)
            if (event !== undefined) lines.push(encode(event.type, event.object))
          }
        }
        if (lines.length > 0) sink.write(lines.join(""))
        collection.watchers.add(watcher)
        this.openWatches.add(finish)
        if (bookmarks && this.options.bookmarkIntervalMillis > 0) {
          const tick = () => {
            if (!open) return
            sink.write(bookmark())
            timers[0] = setTimeout(tick, this.options.bookmarkIntervalMillis)
          }
          timers[0] = setTimeout(tick, this.options.bookmarkIntervalMillis)
        }
        if (timeoutSeconds !== undefined && timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000))
        return stop
      }
    }
  }

  // ---------------------------------------------------------------- writes via HTTP

  private parseBody(type: ResourceType, body: string): JsonObject {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      throw Status.badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): couldn't get version/kind; json parse error: ${detail}`
      )
    }
    if (!isObjectValue(parsed))
      throw Status.badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(parsed) ? "array" : typeof parsed} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`
      )
    return parsed
  }

  /** Checks kind and apiVersion and validates the object's shape; returns warnings for dropped fields. */
  private checkObject(
    request: ServerRequest,
    type: ResourceType,
    object: JsonObject,
    name: string
  ): { readonly object: JsonObject; readonly warnings: ReadonlyArray<string> } {
    const kind = stringAt(object, "kind")
    const apiVersion = stringAt(object, "apiVersion")
    if (
      (kind !== undefined && kind !== type.kind) ||
      (apiVersion !== undefined && apiVersion !== type.apiVersion && !type.custom)
    ) {
      throw Status.badRequest(
        `${kind ?? type.kind} in version "${(apiVersion ?? type.apiVersion).split("/").at(-1)}" cannot be handled as a ${type.kind}: converting (${(apiVersion ?? "").split("/").at(-1)}.${kind}) to (${type.group === "" ? "core" : type.group.split(".")[0]}.${type.kind}): unknown conversion`
      )
    }
    if (type.custom && apiVersion !== undefined && apiVersion !== type.apiVersion) {
      const served = this.servedTypes().some(
        (other) => other.storage === type.storage && other.apiVersion === apiVersion
      )
      if (!served)
        throw Status.badRequest(
          `the API version in the data (${apiVersion}) does not match the expected API version (${type.apiVersion})`
        )
    }
    if (type.validate !== undefined) {
      const result = type.validate(object)
      if (result._tag === "Failure")
        throw Status.badRequest(
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${Schemas.describeIssue(result.failure)}`
        )
      return this.fieldValidation(
        request,
        type.ast === undefined ? { object, warnings: [] } : Schemas.pruneBuiltIn(type.ast, object)
      )
    }
    const result = Schemas.validateCustom(type, object)
    if (result.errors.length > 0) throw Status.invalid(type, name, result.errors)
    return this.fieldValidation(request, result)
  }

  /** `fieldValidation`: `Ignore` drops warnings, `Strict` turns them into a 400, `Warn` (the default) keeps them. */
  private fieldValidation(request: ServerRequest, pruned: Schemas.Pruned): Schemas.Pruned {
    const mode = request.query.get("fieldValidation") ?? "Warn"
    if (mode === "Ignore") return { object: pruned.object, warnings: [] }
    if (mode === "Strict" && pruned.warnings.length > 0)
      throw Status.badRequest(`strict decoding error: ${pruned.warnings.join(", ")}`)
    return pruned
  }

  private checkNamespaceForCreate(type: ResourceType, namespace: string | undefined, name: string): void {
    if (!type.namespaced || namespace === undefined) return
    const object = this.get(this.namespaceType(), undefined, namespace)
    if (object === undefined) throw Status.notFound(this.namespaceType(), namespace)
    if (object.metadata.deletionTimestamp !== undefined)
      throw Status.forbidden(
        type,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        [
          {
            reason: "NamespaceTerminating",
            message: `namespace ${namespace} is being terminated`,
            field: "metadata.namespace"
          }
        ]
      )
  }

  private respondObject(
    status: number,
    type: ResourceType,
    object: Stored,
    request: ServerRequest,
    warnings: ReadonlyArray<string>
  ): ServerResponse {
    return json(status, this.encodeObject(type, object, request.header("accept")), warningHeaders(warnings))
  }

  private fieldManagerOf(request: ServerRequest): string {
    const manager = request.query.get("fieldManager")
    if (manager !== null && manager !== "") return manager
    const agent = request.header("user-agent") ?? ""
    return agent.split("/")[0] ?? ""
  }

  private create(request: ServerRequest, path: ParsedPath): ServerResponse {
    const type = path.type
    if (path.subresource !== undefined) throw Status.methodNotSupported(type, "create")
    const input = this.parseBody(type, request.body)
    const metadata = recordAt(input, "metadata")
    let name = stringAt(metadata, "name") ?? ""
    const generateName = stringAt(metadata, "generateName") ?? ""
    const urlNamespace = path.namespace
    const bodyNamespace = stringAt(metadata, "namespace")
    if (type.namespaced && bodyNamespace !== undefined && bodyNamespace !== "" && bodyNamespace !== urlNamespace)
      throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")
    const checked = this.checkObject(request, type, input, name)
    const warnings = checked.warnings
    let object = this.defaulted(type, checked.object, undefined)
    if (name === "" && generateName !== "") {
      let suffix = ""
      const bytes = randomBytes(5)
      for (const byte of bytes) suffix += generatedNameAlphabet[byte % generatedNameAlphabet.length]
      name = `${generateName.slice(0, 58)}${suffix}`
    }
    if (name === "")
      throw Status.invalid(type, "", [
        { type: "Required", field: "metadata.name", detail: "name or generateName is required" }
      ])
    this.checkNamespaceForCreate(type, urlNamespace, name)
    if (type.group === "" && type.kind === "Pod") object = this.admitPod(type, object, name)
    const errors = [
      ...validateMetadata(type, { ...metadata, name }),
      ...(type.custom ? [] : validateObject(type.apiVersion, type.kind, object))
    ]
    if (errors.length > 0) throw Status.invalid(type, name, errors)
    const collection = this.store.collection(type)
    const key = keyOf(urlNamespace ?? "", name)
    if (collection.objects.has(key)) throw Status.alreadyExists(type, name)
    const dryRun = isDryRun(request)
    const now = timestamp(Date.now())
    const prepared: JsonObject = {
      ...recordAt(object, "metadata"),
      name,
      ...(type.namespaced ? { namespace: urlNamespace } : {}),
      uid: randomUUID(),
      creationTimestamp: now,
      ...(type.hasGeneration ? { generation: 1 } : {})
    }
    delete prepared.deletionTimestamp
    delete prepared.deletionGracePeriodSeconds
    delete prepared.resourceVersion
    if (!type.namespaced) delete prepared.namespace
    const created =
      type.group === "batch" && type.kind === "Job"
        ? Defaults.jobSelector({ ...object, metadata: prepared }, String(prepared.uid), name)
        : { ...object, metadata: prepared }
    let value = shape(type, resetStatusOnCreate(type, created), recordAt(created, "metadata"))
    if (type.group === "" && type.kind === "Namespace") value = defaultNamespace(value)
    // An apply that creates arrives with the managedFields the apply recorded.
    if (!isApply(request))
      value = Patching.recordUpdate(
        type,
        undefined,
        value,
        recordAt(input, "metadata").managedFields,
        this.fieldManagerOf(request),
        undefined,
        now
      )
    if (dryRun) return this.respondObject(201, type, new Stored(value, 0), request, warnings)
    const resourceVersion = this.store.nextResourceVersion()
    const stored = new Stored(
      { ...value, metadata: { ...recordAt(value, "metadata"), resourceVersion: String(resourceVersion) } },
      resourceVersion
    )
    const ordered = new Stored(shape(type, stored.value, stored.metadata), resourceVersion)
    this.commit(type, { resourceVersion, type: "ADDED", object: ordered, previous: undefined })
    if (type.kind === "CustomResourceDefinition" && type.group === "apiextensions.k8s.io")
      this.acceptDefinition(ordered)
    return this.respondObject(201, type, ordered, request, warnings)
  }

  private update(request: ServerRequest, path: ParsedPath, name: string): ServerResponse {
    const type = path.type
    const input = this.parseBody(type, request.body)
    const metadata = recordAt(input, "metadata")
    const bodyName = stringAt(metadata, "name") ?? ""
    if (bodyName !== name)
      throw Status.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`)
    const namespace = path.namespace
    const bodyNamespace = stringAt(metadata, "namespace")
    if (type.namespaced && bodyNamespace !== undefined && bodyNamespace !== "" && bodyNamespace !== namespace)
      throw Status.badRequest("the namespace of the provided object does not match the namespace sent on the request")
    const current = this.get(type, namespace, name)
    if (path.subresource === "scale") {
      if (current === undefined) throw Status.notFound(type, name)
      const updated = Scale.fromScale(current.value, input)
      return this.write(request, type, current, updated, "scale", [])
    }
    const { object, warnings } = this.checkObject(request, type, input, name)
    if (current === undefined) throw Status.notFound(type, name)
    const requestedVersion = stringAt(metadata, "resourceVersion") ?? ""
    if (requestedVersion === "" && type.custom)
      throw Status.invalid(type, name, [
        { type: "Invalid", field: "metadata.resourceVersion", value: "0x0", detail: "must be specified for an update" }
      ])
    if (requestedVersion !== "" && requestedVersion !== String(current.resourceVersion))
      throw Status.conflict(type, name, Status.modifiedMessage)
    return this.write(request, type, current, object, path.subresource, warnings)
  }

  /**
   * Writes a new version of an existing object (update, patch, status or
   * scale): keeps what the server owns, applies the status-subresource split
   * and the generation rule, removes an object whose last finalizer went
   * while it was being deleted, and skips no-op writes as the server does.
   */
  private write(
    request: ServerRequest,
    type: ResourceType,
    current: Stored,
    proposed: JsonObject,
    subresource: string | undefined,
    warnings: ReadonlyArray<string>
  ): ServerResponse {
    const name = current.name
    const currentMetadata = current.metadata
    const proposedMetadata = recordAt(proposed, "metadata")
    const hasStatus = type.subresources.includes("status")
    let next: JsonObject
    if (subresource === "status") {
      next = { ...current.value }
      if (proposed.status === undefined) delete next.status
      else next.status = proposed.status
      next.metadata = isApply(request)
        ? { ...currentMetadata, managedFields: proposedMetadata.managedFields }
        : currentMetadata
    } else {
      next = this.defaulted(type, proposed, current.value)
      if (hasStatus) {
        if (current.value.status === undefined) delete next.status
        else next.status = current.value.status
      }
      const metadata: JsonObject = {
        ...proposedMetadata,
        name,
        uid: currentMetadata.uid,
        creationTimestamp: currentMetadata.creationTimestamp,
        deletionTimestamp: currentMetadata.deletionTimestamp,
        deletionGracePeriodSeconds: currentMetadata.deletionGracePeriodSeconds,
        generation: currentMetadata.generation,
        managedFields: isApply(request)
          ? proposedMetadata.managedFields
          : (proposedMetadata.managedFields ?? currentMetadata.managedFields)
      }
      if (type.namespaced) metadata.namespace = current.namespace
      else delete metadata.namespace
      if (currentMetadata.generateName !== undefined && proposedMetadata.generateName === undefined)
        metadata.generateName = currentMetadata.generateName
      next.metadata = metadata
      const errors = [
        ...validateMetadata(type, metadata),
        ...(type.custom ? [] : validateObject(type.apiVersion, type.kind, next))
      ]
      if (errors.length > 0) throw Status.invalid(type, name, errors)
      if (currentMetadata.deletionTimestamp !== undefined) {
        const added = stringsAt(metadata, "finalizers").filter(
          (finalizer) => !stringsAt(currentMetadata, "finalizers").includes(finalizer)
        )
        if (added.length > 0)
          throw Status.invalid(type, name, [
            {
              type: "Forbidden",
              field: "metadata.finalizers",
              detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((finalizer) => JSON.stringify(finalizer)).join(", ")}}`
            }
          ])
      }
    }
    if (type.group === "" && type.kind === "Namespace") next = defaultNamespace(next)
    if (type.hasGeneration && typeof currentMetadata.generation === "number" && specChanged(type, current.value, next))
      next.metadata = { ...recordAt(next, "metadata"), generation: currentMetadata.generation + 1 }
    const now = timestamp(Date.now())
    const requestedManagedFields = recordAt(next, "metadata").managedFields
    next = shape(type, next, recordAt(next, "metadata"))
    // An apply recorded its own managedFields; every other write is an Update of its manager.
    if (!isApply(request)) {
      next = Patching.recordUpdate(
        type,
        current.value,
        next,
        requestedManagedFields,
        this.fieldManagerOf(request),
        subresource,
        now
      )
      next = shape(type, next, recordAt(next, "metadata"))
    }
    const comparable = (value: JsonObject) => {
      const { resourceVersion: _resourceVersion, ...metadata } = recordAt(value, "metadata")
      return { ...value, metadata }
    }
    if (jsonEqual(comparable(current.value), comparable(next)))
      return this.respondObject(200, type, current, request, warnings)
    const dryRun = isDryRun(request)
    const finalizersGone =
      currentMetadata.deletionTimestamp !== undefined &&
      stringsAt(recordAt(next, "metadata"), "finalizers").length === 0
    if (dryRun) return this.respondObject(200, type, new Stored(next, current.resourceVersion), request, warnings)
    const resourceVersion = this.store.nextResourceVersion()
    const stored = new Stored(
      shape(type, next, { ...recordAt(next, "metadata"), resourceVersion: String(resourceVersion) }),
      resourceVersion
    )
    if (finalizersGone) {
      this.commit(type, { resourceVersion, type: "DELETED", object: stored, previous: current })
      return this.respondObject(200, type, stored, request, warnings)
    }
    this.commit(type, { resourceVersion, type: "MODIFIED", object: stored, previous: current })
    if (type.kind === "CustomResourceDefinition" && type.group === "apiextensions.k8s.io") this.acceptDefinition(stored)
    const response = subresource === "scale" ? Scale.toScale(type, stored.value) : undefined
    if (response !== undefined) return json(200, JSON.stringify(response))
    return this.respondObject(200, type, stored, request, warnings)
  }

  private patch(request: ServerRequest, path: ParsedPath, name: string): ServerResponse {
    const type = path.type
    const namespace = path.namespace
    const current = this.get(type, namespace, name)
    const contentType = (request.header("content-type") ?? "").split(";")[0]?.trim() ?? ""
    const manager = request.query.get("fieldManager") ?? ""
    const force = isTrue(request.query.get("force"))
    if (contentType !== Patching.applyContentType && request.query.get("force") !== null)
      throw Status.invalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", [
        { type: "Forbidden", field: "force", detail: "may not be specified for non-apply patch" }
      ])
    const now = timestamp(Date.now())
    // Only server-side apply creates: any other patch of a missing object is 404 before the patch is read.
    if (current === undefined && (contentType !== Patching.applyContentType || path.subresource !== undefined))
      throw Status.notFound(type, name)
    const base =
      current === undefined
        ? undefined
        : path.subresource === "scale"
          ? Scale.toScale(type, current.value)
          : current.value
    // An apply through /scale sees (and leaves) the owners of spec.replicas as owners of the Scale's.
    const scaleApply = path.subresource === "scale" && contentType === Patching.applyContentType
    const result = Patching.patch({
      type,
      contentType,
      live:
        scaleApply && base !== undefined && current !== undefined
          ? {
              ...base,
              metadata: {
                ...recordAt(base, "metadata"),
                managedFields: ServerSideApply.scaleManagedFields(current.metadata.managedFields)
              }
            }
          : base,
      body: request.body,
      manager,
      force,
      subresource: path.subresource,
      now
    })
    if (current === undefined) {
      const object = {
        ...result,
        metadata: { ...recordAt(result, "metadata"), name, ...(namespace === undefined ? {} : { namespace }) }
      }
      return this.create({ ...request, body: JSON.stringify(object) }, { ...path, name: undefined })
    }
    const requestedVersion = stringAt(recordAt(result, "metadata"), "resourceVersion") ?? ""
    if (requestedVersion !== "" && requestedVersion !== String(current.resourceVersion))
      throw Status.conflict(type, name, Status.modifiedMessage)
    if (path.subresource === "scale") {
      const scaled = Scale.fromScale(current.value, result)
      const managedFields = scaleApply
        ? ServerSideApply.parentManagedFields(
            current.metadata.managedFields,
            recordAt(result, "metadata").managedFields,
            type.apiVersion
          )
        : undefined
      return this.write(
        request,
        type,
        current,
        managedFields === undefined
          ? scaled
          : { ...scaled, metadata: { ...recordAt(scaled, "metadata"), managedFields } },
        "scale",
        []
      )
    }
    const { object, warnings } = this.checkObject(
      request,
      type,
      { ...result, kind: type.kind, apiVersion: type.apiVersion },
      name
    )
    return this.write(request, type, current, object, path.subresource, warnings)
  }

  // ---------------------------------------------------------------- delete

  private deleteOptions(request: ServerRequest): {
    readonly options: DeleteOptions
    readonly preconditions: JsonObject
  } {
    let body: JsonObject = {}
    if (request.body.trim() !== "") {
      let parsed: unknown
      try {
        parsed = JSON.parse(request.body)
      } catch (error) {
        throw Status.badRequest(
          `couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : String(error)}`
        )
      }
      if (isRecord(parsed)) body = parsed
    }
    const query = request.query
    const propagation = stringAt(body, "propagationPolicy") ?? query.get("propagationPolicy") ?? ""
    if (propagation !== "" && propagation !== "Orphan" && propagation !== "Background" && propagation !== "Foreground")
      throw Status.invalid({ group: "meta.k8s.io", kind: "DeleteOptions" }, "", [
        {
          type: "NotSupported",
          field: "propagationPolicy",
          value: propagation,
          detail: 'supported values: "Foreground", "Background", "Orphan", "nil"'
        }
      ])
    const orphanDependents =
      body.orphanDependents ??
      (query.get("orphanDependents") === null ? undefined : isTrue(query.get("orphanDependents")))
    const policy: DeleteOptions["propagation"] =
      propagation === "Orphan" || propagation === "Background" || propagation === "Foreground"
        ? propagation
        : orphanDependents === true
          ? "Orphan"
          : "Background"
    const grace =
      typeof body.gracePeriodSeconds === "number"
        ? body.gracePeriodSeconds
        : query.get("gracePeriodSeconds") === null
          ? undefined
          : Number(query.get("gracePeriodSeconds"))
    const dryRun = isDryRun(request) || (Array.isArray(body.dryRun) && body.dryRun.includes("All"))
    return {
      options: { propagation: policy, dryRun, gracePeriodSeconds: grace },
      preconditions: recordAt(body, "preconditions")
    }
  }

  private delete(request: ServerRequest, path: ParsedPath, name: string): ServerResponse {
    const type = path.type
    if (path.subresource !== undefined) throw Status.methodNotSupported(type, "delete")
    const current = this.get(type, path.namespace, name)
    if (current === undefined) throw Status.notFound(type, name)
    const { options, preconditions } = this.deleteOptions(request)
    const uid = stringAt(preconditions, "uid")
    const currentUid = stringAt(current.metadata, "uid") ?? ""
    if (uid !== undefined && uid !== currentUid)
      throw Status.preconditionFailed(
        type,
        name,
        `the UID in the precondition (${uid}) does not match the UID in record (${currentUid}). The object might have been deleted and then recreated`
      )
    const version = stringAt(preconditions, "resourceVersion")
    if (version !== undefined && version !== String(current.resourceVersion))
      throw Status.preconditionFailed(
        type,
        name,
        `the ResourceVersion in the precondition (${version}) does not match the ResourceVersion in record (${current.resourceVersion}). The object might have been modified`
      )
    const result = this.deleteObject(type, current, options)
    if (result.deleted && !returnsDeletedObject(type))
      return json(
        200,
        JSON.stringify(
          Status.success({
            name,
            ...(type.group === "" ? {} : { group: type.group }),
            kind: type.plural,
            uid: currentUid
          })
        )
      )
    return json(200, this.encodeObject(type, result.object, request.header("accept")))
  }

  /** Deletes an object: finalizers and namespaces wait (deletionTimestamp set), anything else goes now. */
  private deleteObject(
    type: ResourceType,
    current: Stored,
    options: DeleteOptions
  ): { readonly deleted: boolean; readonly object: Stored } {
    const metadata = current.metadata
    const finalizers = [...stringsAt(metadata, "finalizers")]
    const isNamespace = type.group === "" && type.kind === "Namespace"
    if (options.propagation === "Orphan" && !finalizers.includes("orphan") && metadata.deletionTimestamp === undefined)
      finalizers.push("orphan")
    if (
      options.propagation === "Foreground" &&
      !finalizers.includes("foregroundDeletion") &&
      metadata.deletionTimestamp === undefined
    )
      finalizers.push("foregroundDeletion")
    if (finalizers.length === 0 && !isNamespace) {
      if (options.dryRun) return { deleted: true, object: current }
      return { deleted: true, object: this.remove(type, current) }
    }
    if (metadata.deletionTimestamp !== undefined) return { deleted: false, object: current }
    const next: JsonObject = {
      ...current.value,
      metadata: {
        ...metadata,
        deletionTimestamp: timestamp(Date.now()),
        deletionGracePeriodSeconds: 0,
        ...(finalizers.length === 0 ? {} : { finalizers }),
        ...(typeof metadata.generation === "number" ? { generation: metadata.generation + 1 } : {})
      }
    }
    if (isNamespace) next.status = { ...recordAt(current.value, "status"), phase: "Terminating" }
    if (options.dryRun) return { deleted: false, object: new Stored(next, current.resourceVersion) }
    const resourceVersion = this.store.nextResourceVersion()
    const stored = new Stored(
      shape(type, next, { ...recordAt(next, "metadata"), resourceVersion: String(resourceVersion) }),
      resourceVersion
    )
    this.commit(type, { resourceVersion, type: "MODIFIED", object: stored, previous: current })
    return { deleted: false, object: stored }
  }

  private deleteCollection(request: ServerRequest, path: ParsedPath): ServerResponse {
    const type = path.type
    const filter = this.filterOf(request, path)
    const { options } = this.deleteOptions(request)
    const collection = this.store.collection(type)
    const items: Array<string> = []
    const snapshot = collection.live()
    for (const key of [...collection.keysIn(filter.namespace, snapshot.keys)]) {
      const object = collection.objects.get(key)
      if (object === undefined || !passes(filter, object)) continue
      const result = this.deleteObject(type, object, options)
      items.push(type.custom ? result.object.json(type.kind, type.apiVersion) : result.object.itemJson())
    }
    return json(
      200,
      `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(type.apiVersion)},"metadata":{"resourceVersion":"${this.store.resourceVersion}"},"items":[${items.join(",")}]}`
    )
  }

  /** How many watches are open. */
  openWatchCount(): number {
    return this.openWatches.size
  }

  /** Ends every open watch and stops the controllers. */
  close(): void {
    this.closed = true
    for (const finish of [...this.openWatches]) finish()
  }
}

interface DeleteOptions {
  readonly propagation: "Orphan" | "Background" | "Foreground"
  readonly dryRun: boolean
  readonly gracePeriodSeconds: number | undefined
}

const isDryRun = (request: ServerRequest): boolean => request.query.getAll("dryRun").includes("All")

/** Whether a request is a server-side apply (which records its own managedFields). */
const isApply = (request: ServerRequest): boolean =>
  request.method === "PATCH" &&
  (request.header("content-type") ?? "").split(";")[0]?.trim() === Patching.applyContentType

const warningHeaders = (warnings: ReadonlyArray<string>): Record<string, ReadonlyArray<string>> =>
  warnings.length === 0 ? {} : { warning: warnings.map((warning) => `299 - ${JSON.stringify(warning)}`) }

/**
 * Kinds whose delete answers with the object rather than a `Status`: the
 * registries kube-apiserver 1.35 builds with `ReturnDeletedObject: true`
 * (and namespaces, whose own delete does the same), as `group/Kind`.
 */
const deletedObjectKinds: ReadonlySet<string> = new Set([
  "/Namespace",
  "/PersistentVolume",
  "/PersistentVolumeClaim",
  "/Pod",
  "/PodTemplate",
  "/ResourceQuota",
  "/Service",
  "/ServiceAccount",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/DeviceTaintRule",
  "resource.k8s.io/ResourceClaim",
  "resource.k8s.io/ResourceClaimTemplate",
  "resource.k8s.io/ResourceSlice",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass"
])

const returnsDeletedObject = (type: ResourceType): boolean => deletedObjectKinds.has(`${type.group}/${type.kind}`)

const ownerUids = (object: JsonObject): ReadonlyArray<string> => {
  const references = recordAt(object, "metadata").ownerReferences
  if (!Array.isArray(references)) return []
  return references.flatMap((reference) =>
    isRecord(reference) && typeof reference.uid === "string" ? [reference.uid] : []
  )
}

/** A namespace as the server keeps it: its name label, the `kubernetes` finalizer and a phase. */
const defaultNamespace = (namespace: JsonObject): JsonObject => {
  const metadata = recordAt(namespace, "metadata")
  const name = stringAt(metadata, "name") ?? ""
  const spec = recordAt(namespace, "spec")
  const status = recordAt(namespace, "status")
  return {
    ...namespace,
    metadata: orderMetadata({
      ...metadata,
      labels: { ...recordAt(metadata, "labels"), "kubernetes.io/metadata.name": name }
    }),
    spec: { ...spec, finalizers: spec.finalizers ?? ["kubernetes"] },
    status: { ...status, phase: metadata.deletionTimestamp === undefined ? "Active" : "Terminating" }
  }
}

/** The status a create leaves: cleared for kinds with a status subresource (nodes keep theirs), or what the kind starts with. */
const resetStatusOnCreate = (type: ResourceType, object: JsonObject): JsonObject => {
  if (!type.subresources.includes("status")) return object
  if (type.custom) {
    const { status: _status, ...rest } = object
    return rest
  }
  if (type.group === "" && type.kind === "Node") return object
  return { ...object, status: Defaults.statusOnCreate(type.apiVersion, type.kind, object) }
}

/** Whether a write changes what `metadata.generation` counts: the spec (built-ins) or anything but metadata and status (custom resources). */
const specChanged = (type: ResourceType, before: JsonObject, after: JsonObject): boolean => {
  if (!type.custom) return !jsonEqual(before.spec, after.spec)
  const strip = (object: JsonObject) => {
    const { metadata: _metadata, status, kind: _kind, apiVersion: _apiVersion, ...rest } = object
    return type.subresources.includes("status") ? rest : { ...rest, status }
  }
  return !jsonEqual(strip(before), strip(after))
}

/** The scale subresource of deployments, replica sets, stateful sets and custom resources that declare one. */
const Scale = {
  toScale(type: ResourceType, object: JsonObject): JsonObject {
    const metadata = recordAt(object, "metadata")
    const spec = recordAt(object, "spec")
    const status = recordAt(object, "status")
    const selector = recordAt(spec, "selector")
    const matchLabels = recordAt(selector, "matchLabels")
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: metadata.name,
        ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }),
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
        creationTimestamp: metadata.creationTimestamp
      },
      spec: { replicas: typeof spec.replicas === "number" ? spec.replicas : type.custom ? 0 : 1 },
      status: {
        replicas: typeof status.replicas === "number" ? status.replicas : 0,
        selector: Object.entries(matchLabels)
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(",")
      }
    }
  },
  fromScale(object: JsonObject, scale: JsonObject): JsonObject {
    const replicas = recordAt(scale, "spec").replicas
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
      throw Status.invalid(
        { group: "autoscaling", kind: "Scale" },
        stringAt(recordAt(object, "metadata"), "name") ?? "",
        [{ type: "Invalid", field: "spec.replicas", value: replicas, detail: "must be greater than or equal to 0" }]
      )
    return { ...object, spec: { ...recordAt(object, "spec"), replicas } }
  }
}
