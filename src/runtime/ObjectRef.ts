/**
 * `ObjectRef`: the identity of one object of a known kind — its namespace
 * (absent for cluster-scoped kinds) and name. The Store indexes objects by
 * it and the Controller schedules reconciles by it; `key` renders it as one
 * string (`namespace/name`, or `name` alone) for maps and logs.
 *
 * @since 0.1.0
 */
import type { KubeObject } from "../core/Resource.js"

/**
 * A namespace (absent for cluster-scoped objects) and a name.
 *
 * @category models
 */
export interface ObjectRef {
  readonly namespace?: string | undefined
  readonly name: string
}

/**
 * The reference of an object; `undefined` when it has no name (which no
 * object read from the server lacks).
 *
 * @category constructors
 */
export const fromObject = (object: KubeObject): ObjectRef | undefined => {
  const metadata = object.metadata
  const name = metadata?.name
  if (name === undefined) return undefined
  const namespace = metadata?.namespace
  return namespace === undefined || namespace === "" ? { name } : { namespace, name }
}

/**
 * A reference from its parts.
 *
 * @category constructors
 */
export const make = (name: string, namespace?: string): ObjectRef =>
  namespace === undefined || namespace === "" ? { name } : { namespace, name }

/**
 * The string form: `namespace/name`, or `name` for a cluster-scoped object.
 * Unambiguous, since neither part may contain a `/`.
 *
 * @category rendering
 */
export const key = (ref: ObjectRef): string =>
  ref.namespace === undefined || ref.namespace === "" ? ref.name : `${ref.namespace}/${ref.name}`

/**
 * Parses the string form back into a reference.
 *
 * @category constructors
 */
export const fromKey = (value: string): ObjectRef => {
  const slash = value.indexOf("/")
  return slash === -1 ? { name: value } : { namespace: value.slice(0, slash), name: value.slice(slash + 1) }
}
