/**
 * Discovery documents (`/api`, `/apis`, `/apis/<group>`, `/api/v1`,
 * `/apis/<group>/<version>`, `/version`) built from the served resource
 * types, so a client that discovers kinds at run time (including the kinds
 * of CustomResourceDefinitions created while FakeKube runs) finds them.
 */
import type { ResourceType } from "./resourceTypes.js"

/** The kinds of subresources whose kind is not their parent's. */
const subresourceKinds: { readonly [subresource: string]: string } = {
  attach: "PodAttachOptions",
  binding: "Binding",
  exec: "PodExecOptions",
  portforward: "PodPortForwardOptions",
  proxy: "PodProxyOptions",
  token: "TokenRequest"
}

/** The verbs of subresources that are not read-write views of their parent. */
const subresourceVerbs: { readonly [subresource: string]: ReadonlyArray<string> } = {
  attach: ["create", "get"],
  binding: ["create"],
  eviction: ["create"],
  exec: ["create", "get"],
  log: ["get"],
  portforward: ["create", "get"],
  proxy: ["create", "delete", "get", "patch", "update"],
  token: ["create"]
}

/** The verbs discovery lists for a subresource. */
export const subresourceVerbsOf = (subresource: string): ReadonlyArray<string> =>
  subresourceVerbs[subresource] ?? ["get", "patch", "update"]

/** The `/version` document. */
export const version = {
  major: "1",
  minor: "35",
  emulationMajor: "1",
  emulationMinor: "35",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "34",
  gitVersion: "v1.35.0-fakekube",
  gitCommit: "",
  gitTreeState: "clean",
  buildDate: "1970-01-01T00:00:00Z",
  goVersion: "",
  compiler: "fakekube",
  platform: `${process.platform}/${process.arch}`
}

/** The `/api` document. */
export const apiVersions = () => ({
  kind: "APIVersions",
  versions: ["v1"],
  serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }]
})

/** Orders versions as Kubernetes does: GA before beta before alpha, higher numbers first. */
const versionRank = (version: string): [number, number, number] => {
  const match = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version)
  if (match === null) return [0, 0, 0]
  const stability = match[2] === undefined ? 3 : match[2] === "beta" ? 2 : 1
  return [stability, Number(match[1]), Number(match[3] ?? 0)]
}

const compareVersions = (left: string, right: string): number => {
  const a = versionRank(left)
  const b = versionRank(right)
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2]
}

const groupDocument = (name: string, types: ReadonlyArray<ResourceType>) => {
  const versions = [...new Set(types.filter((type) => type.group === name).map((type) => type.version))].sort(
    compareVersions
  )
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }))
  return { name, versions: entries, preferredVersion: entries[0] }
}

/** The `/apis` document. */
export const groupList = (types: ReadonlyArray<ResourceType>) => {
  const groups = [...new Set(types.map((type) => type.group).filter((group) => group !== ""))]
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((group) => groupDocument(group, types)) }
}

/** The `/apis/<group>` document. */
export const group = (name: string, types: ReadonlyArray<ResourceType>) => ({
  kind: "APIGroup",
  apiVersion: "v1",
  ...groupDocument(name, types)
})

/** The `/api/v1` or `/apis/<group>/<version>` document. */
export const resourceList = (group: string, version: string, types: ReadonlyArray<ResourceType>) => ({
  kind: "APIResourceList",
  ...(group === "" ? {} : { apiVersion: "v1" }),
  groupVersion: group === "" ? version : `${group}/${version}`,
  resources: [...types]
    .sort((left, right) => (left.plural < right.plural ? -1 : left.plural > right.plural ? 1 : 0))
    .flatMap((type) => [
      {
        name: type.plural,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: type.verbs,
        ...(type.shortNames.length === 0 ? {} : { shortNames: type.shortNames }),
        ...(type.categories.length === 0 ? {} : { categories: type.categories })
      },
      ...type.subresources.map((subresource) => ({
        name: `${type.plural}/${subresource}`,
        singularName: "",
        namespaced: type.namespaced,
        ...(subresource === "scale"
          ? { group: "autoscaling", version: "v1", kind: "Scale" }
          : subresource === "eviction"
            ? { group: "policy", version: "v1", kind: "Eviction" }
            : { kind: subresourceKinds[subresource] ?? type.kind }),
        verbs: subresourceVerbsOf(subresource)
      }))
    ])
})
