/**
 * Patches and field-manager bookkeeping: the bridge from FakeKube's PATCH
 * verb to the patch engines. JSON patch (RFC 6902) and merge patch (RFC
 * 7386) are applied here, strategic merge patch by `patch/StrategicMerge`,
 * server-side apply and managedFields by `patch/ServerSideApply`. This
 * module is the one place to rewire.
 */

import { parse as parseYaml } from "yaml"
import * as Patch from "../../core/Patch.js"
import { cloneJson, isRecord, type JsonObject, jsonEqual, setField } from "./json.js"
import { definitionOf } from "./patch/fieldMetadata.js"
import * as ServerSideApply from "./patch/ServerSideApply.js"
import * as StrategicMerge from "./patch/StrategicMerge.js"
import type { ResourceType } from "./resourceTypes.js"
import * as Status from "./status.js"

/** The content type of server-side apply. */
export const applyContentType = Patch.contentTypes.Apply

const jsonPatchType = Patch.contentTypes.Json
const mergePatchType = Patch.contentTypes.Merge
const strategicPatchType = Patch.contentTypes.Strategic

/** A patch request. */
export interface PatchRequest {
  readonly type: ResourceType
  readonly contentType: string
  readonly live: JsonObject | undefined
  readonly body: string
  readonly manager: string
  readonly force: boolean
  readonly subresource: string | undefined
  readonly now: string
}

/** The 422 the server answers for a JSON patch that cannot apply (a failed `test`, a missing path). */
const rejected = Status.unprocessable

const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isRecord(patch)) return patch
  const result: JsonObject = isRecord(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else setField(result, key, mergePatch(result[key], value))
  }
  return result
}

const pointer = (path: string): ReadonlyArray<string> => {
  if (path === "") return []
  if (!path.startsWith("/")) throw rejected()
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"))
}

const childOf = (parent: unknown, token: string): unknown => {
  if (Array.isArray(parent)) return parent[Number(token)]
  return isRecord(parent) ? parent[token] : undefined
}

/** Applies one RFC 6902 operation in place on a deep copy; throws the server's 422 when it cannot. */
const applyOperation = (document: { root: unknown }, operation: unknown): void => {
  if (!isRecord(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") throw rejected()
  const tokens = pointer(operation.path)
  const read = (path: ReadonlyArray<string>): unknown => {
    let current = document.root
    for (const token of path) {
      current = childOf(current, token)
      if (current === undefined) throw rejected()
    }
    return current
  }
  const remove = (path: ReadonlyArray<string>): unknown => {
    const parent = read(path.slice(0, -1))
    const last = path.at(-1) ?? ""
    if (Array.isArray(parent)) {
      const index = Number(last)
      if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw rejected()
      return parent.splice(index, 1)[0]
    }
    if (!isRecord(parent) || !(last in parent)) throw rejected()
    const value = parent[last]
    delete parent[last]
    return value
  }
  const add = (path: ReadonlyArray<string>, value: unknown): void => {
    if (path.length === 0) {
      document.root = value
      return
    }
    const parent = read(path.slice(0, -1))
    const last = path.at(-1) ?? ""
    if (Array.isArray(parent)) {
      const index = last === "-" ? parent.length : Number(last)
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw rejected()
      parent.splice(index, 0, value)
    } else if (isRecord(parent)) setField(parent, last, value)
    else throw rejected()
  }
  switch (operation.op) {
    case "add":
      add(tokens, cloneJson(operation.value))
      return
    case "remove":
      remove(tokens)
      return
    case "replace":
      read(tokens)
      if (tokens.length > 0) remove(tokens)
      add(tokens, cloneJson(operation.value))
      return
    case "move":
    case "copy": {
      if (typeof operation.from !== "string") throw rejected()
      const from = pointer(operation.from)
      const value = operation.op === "move" ? remove(from) : cloneJson(read(from))
      add(tokens, value)
      return
    }
    case "test": {
      // As the API server's json-patch: a missing member tests equal to null (kube-rs's finalizer relies on it).
      const actual = tokens.length === 0 ? document.root : childOf(read(tokens.slice(0, -1)), tokens.at(-1) ?? "")
      if (actual === undefined ? operation.value !== null : !jsonEqual(actual, operation.value)) throw rejected()
      return
    }
    default:
      throw rejected()
  }
}

/** The patched object. */
export const patch = (request: PatchRequest): JsonObject => {
  if (request.contentType === strategicPatchType && request.type.custom)
    throw Status.unsupportedMediaType([jsonPatchType, mergePatchType, applyContentType])
  if (!Object.values<string>(Patch.contentTypes).includes(request.contentType))
    throw Status.failure(415, "UnsupportedMediaType", "415: Unsupported Media Type", {})
  if (request.contentType === applyContentType) return applyPatch(request)
  let body: unknown
  try {
    body = JSON.parse(request.body)
  } catch (error) {
    throw Status.badRequest(`error decoding patch: ${error instanceof Error ? error.message : String(error)}`)
  }
  const live = request.live ?? {}
  let result: unknown
  if (request.contentType === mergePatchType) {
    if (!isRecord(body)) throw Status.badRequest("error decoding patch: a merge patch must be a JSON object")
    result = mergePatch(live, body)
  } else if (request.contentType === strategicPatchType) {
    // The scale subresource patches the autoscaling/v1 Scale, not the object.
    const definition =
      request.subresource === "scale" ? definitionOf("autoscaling/v1", "Scale") : request.type.definition
    result = StrategicMerge.apply(live, body, definition)
  } else {
    if (!Array.isArray(body))
      throw Status.badRequest("error decoding patch: a JSON patch must be an array of operations")
    const document = { root: cloneJson<unknown>(live) }
    for (const operation of body) applyOperation(document, operation)
    result = document.root
  }
  if (!isRecord(result)) throw rejected()
  return result
}

/** The object a server-side apply leaves: the configuration merged into the live object (or created), with managedFields. */
const applyPatch = (request: PatchRequest): JsonObject => {
  if (request.manager === "")
    throw Status.invalid({ group: "meta.k8s.io", kind: "PatchOptions" }, "", [
      { type: "Required", field: "fieldManager", detail: "is required for apply patch" }
    ])
  let configuration: unknown
  try {
    configuration = parseYaml(request.body)
  } catch (error) {
    throw Status.badRequest(`error decoding YAML: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (!isRecord(configuration))
    throw Status.badRequest("error decoding YAML: the applied configuration must be an object")
  const target = ServerSideApply.targetOf(request.type)
  return ServerSideApply.apply({
    // Through /scale the applied configuration is an autoscaling/v1 Scale.
    target: request.subresource === "scale" ? { ...target, apiVersion: "autoscaling/v1", kind: "Scale" } : target,
    live: request.live,
    configuration,
    manager: request.manager,
    subresource: request.subresource,
    force: request.force,
    now: request.now
  })
}

/**
 * `after` with managedFields updated for a write other than apply by
 * `manager` (`requested`: the managedFields the client sent, `undefined`
 * when it sent none).
 */
export const recordUpdate = (
  type: ResourceType,
  before: JsonObject | undefined,
  after: JsonObject,
  requested: unknown,
  manager: string,
  subresource: string | undefined,
  now: string
): JsonObject =>
  ServerSideApply.recordUpdate({
    target: ServerSideApply.targetOf(type),
    before,
    after,
    requested,
    manager,
    subresource,
    now
  })
