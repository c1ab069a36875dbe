/**
 * What FakeKube knows about each kind it serves: the built-in kinds of the
 * generated registry (with their schemas and patch metadata) and the kinds
 * that CustomResourceDefinitions add while it runs. One `ResourceType` per
 * served group, version and plural; `storage` names the collection its
 * objects live in (a custom resource's versions share one, as with the
 * conversion strategy `None`).
 */
import { type Result, Schema, SchemaAST } from "effect"
import { definitions, kinds } from "../../api/patchMetadata.js"
import { resources } from "../../api/registry.js"
import { isRecord, type JsonObject } from "./json.js"

/** A served resource. */
export interface ResourceType {
  readonly group: string
  readonly version: string
  readonly apiVersion: string
  readonly kind: string
  readonly listKind: string
  readonly plural: string
  readonly singular: string
  readonly shortNames: ReadonlyArray<string>
  readonly categories: ReadonlyArray<string>
  readonly namespaced: boolean
  readonly verbs: ReadonlyArray<string>
  readonly subresources: ReadonlyArray<string>
  /** The collection objects live in: `group/plural` for custom resources, `group/version/plural` for built-ins. */
  readonly storage: string
  /** The OpenAPI definition name (strategic merge patch and apply), built-ins only. */
  readonly definition: string | undefined
  /** Decodes (validates) an object of a built-in kind. */
  readonly validate: ((object: unknown) => Result.Result<unknown, Schema.SchemaError>) | undefined
  /** The type-side AST of a built-in kind's schema (for pruning unknown fields). */
  readonly ast: SchemaAST.AST | undefined
  /** The custom resource's OpenAPI v3 schema of this version. */
  readonly openApiSchema: JsonObject | undefined
  /** Whether `metadata.generation` is kept: built-ins with a spec and every custom resource. */
  readonly hasGeneration: boolean
  /** Whether the kind is a custom resource. */
  readonly custom: boolean
  /** The field paths a custom resource version declares in `selectableFields` (without the leading dot). */
  readonly selectableFields: ReadonlyArray<string>
}

const lowerFirst = (text: string) => text.toLowerCase()

const builtIn = (resource: (typeof resources)[number]): ResourceType => {
  const definition = kinds[resource.apiVersion]?.[resource.kind]
  const fields = definition === undefined ? undefined : definitions[definition]?.fields
  return {
    group: resource.group,
    version: resource.version,
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    listKind: `${resource.kind}List`,
    plural: resource.plural,
    singular: lowerFirst(resource.kind),
    shortNames: shortNames[resource.plural] ?? [],
    categories: allCategory.has(resource.plural) && resource.group !== "events.k8s.io" ? ["all"] : [],
    namespaced: resource.namespaced,
    verbs: resource.verbs,
    subresources: resource.subresources,
    storage: `${resource.group}/${resource.version}/${resource.plural}`,
    definition,
    validate: Schema.decodeUnknownResult(resource.schema),
    ast: SchemaAST.toType(resource.schema.ast),
    openApiSchema: undefined,
    hasGeneration: fields?.spec !== undefined && !withoutGeneration.has(`${resource.apiVersion}/${resource.kind}`),
    custom: false,
    selectableFields: []
  }
}

/** Kinds with a spec whose strategy keeps no `metadata.generation`. */
const withoutGeneration = new Set([
  "v1/Service",
  "v1/PersistentVolumeClaim",
  "v1/PersistentVolume",
  "v1/Namespace",
  "v1/Node"
])

const shortNames: Record<string, ReadonlyArray<string>> = {
  configmaps: ["cm"],
  endpoints: ["ep"],
  events: ["ev"],
  limitranges: ["limits"],
  namespaces: ["ns"],
  nodes: ["no"],
  persistentvolumeclaims: ["pvc"],
  persistentvolumes: ["pv"],
  pods: ["po"],
  replicationcontrollers: ["rc"],
  resourcequotas: ["quota"],
  serviceaccounts: ["sa"],
  services: ["svc"],
  daemonsets: ["ds"],
  deployments: ["deploy"],
  replicasets: ["rs"],
  statefulsets: ["sts"],
  horizontalpodautoscalers: ["hpa"],
  cronjobs: ["cj"],
  customresourcedefinitions: ["crd", "crds"],
  ingresses: ["ing"],
  networkpolicies: ["netpol"],
  poddisruptionbudgets: ["pdb"],
  certificatesigningrequests: ["csr"],
  priorityclasses: ["pc"],
  storageclasses: ["sc"]
}

const allCategory = new Set([
  "pods",
  "replicationcontrollers",
  "services",
  "daemonsets",
  "deployments",
  "replicasets",
  "statefulsets",
  "horizontalpodautoscalers",
  "cronjobs",
  "jobs"
])

/** GA kinds of the spec that 1.35 serves only behind a feature gate off by default (MutatingAdmissionPolicy). */
const gatedOff = new Set([
  "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/v1/MutatingAdmissionPolicyBinding"
])

/**
 * Every built-in kind of a GA version: kube-apiserver 1.35 serves alpha and
 * beta versions only when enabled with `--runtime-config`, and gated kinds not at all.
 */
export const builtInTypes: ReadonlyArray<ResourceType> = resources
  .filter((resource) => /^v\d+$/.test(resource.version) && !gatedOff.has(`${resource.apiVersion}/${resource.kind}`))
  .map(builtIn)

const createOnly = (group: string, kind: string, plural: string, namespaced: boolean): ResourceType => ({
  group,
  version: "v1",
  apiVersion: group === "" ? "v1" : `${group}/v1`,
  kind,
  listKind: `${kind}List`,
  plural,
  singular: "",
  shortNames: [],
  categories: [],
  namespaced,
  verbs: ["create"],
  subresources: [],
  storage: `${group}/v1/${plural}`,
  definition: undefined,
  validate: undefined,
  ast: undefined,
  openApiSchema: undefined,
  hasGeneration: false,
  custom: false,
  selectableFields: []
})

/**
 * The create-only kinds kube-apiserver serves by default that the registry
 * has no descriptor for (no list or get path in the spec): pod bindings and
 * the token and access reviews, answered from the configured tokens and
 * `authorize` function rather than stored.
 */
export const createOnlyTypes: ReadonlyArray<ResourceType> = [
  createOnly("", "Binding", "bindings", true),
  createOnly("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false),
  createOnly("authentication.k8s.io", "TokenReview", "tokenreviews", false),
  createOnly("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
  createOnly("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false),
  createOnly("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false),
  createOnly("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false)
]

/** The served versions of a CustomResourceDefinition, as resource types; empty when the object is not usable. */
export const fromCustomResourceDefinition = (crd: JsonObject): ReadonlyArray<ResourceType> => {
  const spec = crd.spec
  if (!isRecord(spec)) return []
  const names = spec.names
  const group = spec.group
  if (!isRecord(names) || typeof group !== "string" || !Array.isArray(spec.versions)) return []
  const kind = typeof names.kind === "string" ? names.kind : ""
  const plural = typeof names.plural === "string" ? names.plural : ""
  if (kind === "" || plural === "") return []
  const strings = (value: unknown): ReadonlyArray<string> =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []
  const types: Array<ResourceType> = []
  for (const version of spec.versions) {
    if (!isRecord(version) || version.served !== true || typeof version.name !== "string") continue
    const subresources = isRecord(version.subresources) ? version.subresources : {}
    const schema = isRecord(version.schema) ? version.schema.openAPIV3Schema : undefined
    types.push({
      group,
      version: version.name,
      apiVersion: `${group}/${version.name}`,
      kind,
      listKind: typeof names.listKind === "string" ? names.listKind : `${kind}List`,
      plural,
      singular: typeof names.singular === "string" && names.singular !== "" ? names.singular : lowerFirst(kind),
      shortNames: strings(names.shortNames),
      categories: strings(names.categories),
      namespaced: spec.scope !== "Cluster",
      verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
      subresources: [
        ...(isRecord(subresources.status) ? ["status"] : []),
        ...(isRecord(subresources.scale) ? ["scale"] : [])
      ],
      storage: `${group}/${plural}`,
      definition: undefined,
      validate: undefined,
      ast: undefined,
      openApiSchema: isRecord(schema) ? schema : undefined,
      hasGeneration: true,
      custom: true,
      selectableFields: Array.isArray(version.selectableFields)
        ? version.selectableFields.flatMap((field) =>
            isRecord(field) && typeof field.jsonPath === "string" ? [field.jsonPath.replace(/^\./, "")] : []
          )
        : []
    })
  }
  return types
}
