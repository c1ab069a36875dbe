/**
 * Where each definition lives. Generated modules follow the Go package of the
 * definition (`io.k8s.api.core.v1.Pod` → `core/v1`,
 * `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.*` →
 * `apiextensions/v1`, `io.k8s.apimachinery.pkg.runtime.RawExtension` →
 * `runtime`). Protocol and scalar types the hand-written core already owns
 * (ObjectMeta, Status, Time, Quantity, ...) are not generated: their package's
 * module re-exports the core export, and references to them import it.
 */

/** A hand-written export of `src/core`, used in place of a generated definition. */
export interface CoreExport {
  /** The module under `src/core` (`ObjectMeta` for `src/core/ObjectMeta.ts`). */
  readonly module: string
  readonly name: string
  /** Only a type is exported (a generic like `WatchEvent<K>`, which no field refers to). */
  readonly typeOnly: boolean
}

const meta = "io.k8s.apimachinery.pkg.apis.meta.v1"

const core = (module: string, name: string, typeOnly = false): CoreExport => ({ module, name, typeOnly })

/** Definitions the core owns, by OpenAPI name. */
export const coreExports: ReadonlyMap<string, CoreExport> = new Map([
  [`${meta}.ObjectMeta`, core("ObjectMeta", "ObjectMeta")],
  [`${meta}.ListMeta`, core("ObjectMeta", "ListMeta")],
  [`${meta}.ShardInfo`, core("ObjectMeta", "ShardInfo")],
  [`${meta}.OwnerReference`, core("ObjectMeta", "OwnerReference")],
  [`${meta}.ManagedFieldsEntry`, core("ObjectMeta", "ManagedFieldsEntry")],
  [`${meta}.Status`, core("Status", "Status")],
  [`${meta}.StatusDetails`, core("Status", "StatusDetails")],
  [`${meta}.StatusCause`, core("Status", "StatusCause")],
  [`${meta}.WatchEvent`, core("WatchEvent", "WatchEvent", true)],
  [`${meta}.Time`, core("Time", "Time")],
  [`${meta}.MicroTime`, core("Time", "MicroTime")],
  ["io.k8s.apimachinery.pkg.api.resource.Quantity", core("Quantity", "Quantity")],
  ["io.k8s.apimachinery.pkg.util.intstr.IntOrString", core("IntOrString", "IntOrString")]
])

/** Where a definition is exported from. */
export interface Placement {
  /** The generated module (`core/v1`), or `undefined` when only the core exports it. */
  readonly module: string | undefined
  /** The exported name: the last segment of the OpenAPI name. */
  readonly name: string
  readonly core: CoreExport | undefined
}

const versionPattern = /^v\d+(?:(?:alpha|beta)\d+)?$/

const packageModule = (packagePath: ReadonlyArray<string>): string | undefined => {
  const version = packagePath.at(-1)
  const group = packagePath.at(-2)
  // io.k8s.api.<group>.<version> and io.k8s.<project>.pkg.apis.<group>.<version>
  if (version !== undefined && group !== undefined && versionPattern.test(version)) {
    if (packagePath[2] === "api" && packagePath.length === 5) return `${group}/${version}`
    if (packagePath.at(-3) === "apis") return `${group}/${version}`
  }
  // io.k8s.apimachinery.pkg.<package> (runtime, version): not versioned
  if (packagePath[2] === "apimachinery" && packagePath[3] === "pkg" && packagePath.length === 5) return packagePath[4]
  return undefined
}

/** Places an OpenAPI definition name. */
export const place = (definition: string): Placement => {
  const segments = definition.split(".")
  const name = segments.at(-1)
  if (name === undefined || !/^[A-Z][A-Za-z0-9]*$/.test(name) || segments[0] !== "io" || segments[1] !== "k8s") {
    throw new Error(`cannot place definition ${definition}`)
  }
  const coreExport = coreExports.get(definition)
  const module = packageModule(segments.slice(0, -1))
  if (module === undefined && coreExport === undefined) throw new Error(`cannot place definition ${definition}`)
  return { module, name, core: coreExport }
}

/** The namespace alias a module is imported under (`core/v1` → `CoreV1`). */
export const moduleAlias = (module: string): string =>
  module
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")
