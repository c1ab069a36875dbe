/**
 * Object validation FakeKube applies on every write, as kube-apiserver's
 * `ValidateObjectMeta`: names by the rule each kind uses (DNS-1123 subdomain,
 * DNS-1123 label, DNS-1035 label or path segment), label and annotation
 * syntax. Failures are `FieldError`s the caller turns into one 422.
 */
import * as Selector from "../../core/Selector.js"
import { isRecord, type JsonObject, stringMapAt, stringsAt } from "./json.js"
import type { ResourceType } from "./resourceTypes.js"
import { type LabelSelector, matchesLabels } from "./selectors.js"
import type { FieldError } from "./status.js"

const subdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const labelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const dns1035Pattern = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
const dns1035Message =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

/** The name rule of a kind, as its registry strategy validates names. */
type NameRule = "subdomain" | "label" | "dns1035" | "pathSegment"

const nameRules: Record<string, NameRule> = {
  "/namespaces": "label",
  "/services": "dns1035",
  "rbac.authorization.k8s.io/roles": "pathSegment",
  "rbac.authorization.k8s.io/clusterroles": "pathSegment",
  "rbac.authorization.k8s.io/rolebindings": "pathSegment",
  "rbac.authorization.k8s.io/clusterrolebindings": "pathSegment",
  "flowcontrol.apiserver.k8s.io/flowschemas": "pathSegment",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations": "pathSegment"
}

const nameProblems = (rule: NameRule, name: string): ReadonlyArray<string> => {
  switch (rule) {
    case "pathSegment":
      if (name === "." || name === "..") return [`may not be '${name}'`]
      for (const forbidden of ["/", "%"]) if (name.includes(forbidden)) return [`may not contain '${forbidden}'`]
      return []
    case "label":
      return [
        ...(name.length > 63 ? ["must be no more than 63 characters"] : []),
        ...(labelPattern.test(name) ? [] : [labelMessage])
      ]
    case "dns1035":
      return [
        ...(name.length > 63 ? ["must be no more than 63 characters"] : []),
        ...(dns1035Pattern.test(name) ? [] : [dns1035Message])
      ]
    case "subdomain":
      return [
        ...(name.length > 253 ? ["must be no more than 253 characters"] : []),
        ...(subdomainPattern.test(name) ? [] : [subdomainMessage])
      ]
  }
}

const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

const qualifiedNameProblems = (key: string): ReadonlyArray<string> => {
  const parts = key.split("/")
  const name = parts.length === 2 ? (parts[1] ?? "") : key
  const prefix = parts.length === 2 ? parts[0] : undefined
  const problems: Array<string> = []
  if (parts.length > 2)
    problems.push(
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    )
  if (prefix !== undefined && (prefix.length === 0 || !subdomainPattern.test(prefix)))
    problems.push(`prefix part ${subdomainMessage}`)
  if (name.length === 0) problems.push("name part must be non-empty")
  else if (name.length > 63) problems.push("name part must be no more than 63 characters")
  else if (!qualifiedNamePart.test(name))
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    )
  return problems
}

/** The field errors of an object's metadata for a kind. */
export const validateMetadata = (type: ResourceType, metadata: JsonObject): ReadonlyArray<FieldError> => {
  const errors: Array<FieldError> = []
  const name = metadata.name
  if (typeof name === "string" && name !== "") {
    const rule: NameRule = nameRules[`${type.group}/${type.plural}`] ?? "subdomain"
    for (const problem of nameProblems(rule, name))
      errors.push({ type: "Invalid", field: "metadata.name", value: name, detail: problem })
  }
  const labels = metadata.labels
  if (isRecord(labels)) {
    for (const [key, value] of Object.entries(labels)) {
      for (const problem of qualifiedNameProblems(key))
        errors.push({ type: "Invalid", field: "metadata.labels", value: key, detail: problem })
      if (typeof value === "string" && (value.length > 63 || !labelValuePattern.test(value)))
        errors.push({
          type: "Invalid",
          field: `metadata.labels`,
          value,
          detail:
            value.length > 63
              ? "must be no more than 63 characters"
              : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        })
    }
  }
  const annotations = metadata.annotations
  if (isRecord(annotations)) {
    for (const key of Object.keys(annotations))
      for (const problem of qualifiedNameProblems(key.toLowerCase()))
        errors.push({ type: "Invalid", field: "metadata.annotations", value: key, detail: problem })
  }
  return errors
}

// ---------------------------------------------------------------- per-kind rules

const containerProblems = (
  containers: ReadonlyArray<unknown>,
  field: string,
  seen: Set<string>
): ReadonlyArray<FieldError> => {
  const errors: Array<FieldError> = []
  containers.forEach((container, index) => {
    const path = `${field}[${index}]`
    const item = isRecord(container) ? container : {}
    const name = typeof item.name === "string" ? item.name : ""
    if (name === "") errors.push({ type: "Required", field: `${path}.name` })
    else if (seen.has(name)) errors.push({ type: "Duplicate", field: `${path}.name`, value: name })
    else
      for (const problem of nameProblems("label", name))
        errors.push({ type: "Invalid", field: `${path}.name`, value: name, detail: problem })
    seen.add(name)
    if (typeof item.image !== "string" || item.image.trim() === "")
      errors.push({ type: "Required", field: `${path}.image` })
  })
  return errors
}

const restartPolicies = ["Always", "OnFailure", "Never"]

/** `ValidatePodSpec`, the rules users meet most: containers with names and images, a known restart policy. */
const podSpecProblems = (spec: JsonObject, field: string): ReadonlyArray<FieldError> => {
  const containers = Array.isArray(spec.containers) ? spec.containers : []
  const seen = new Set<string>()
  const errors = [
    ...containerProblems(
      Array.isArray(spec.initContainers) ? spec.initContainers : [],
      `${field}.initContainers`,
      seen
    ),
    ...(containers.length === 0
      ? [{ type: "Required" as const, field: `${field}.containers` }]
      : containerProblems(containers, `${field}.containers`, seen))
  ]
  const restartPolicy = spec.restartPolicy
  if (typeof restartPolicy === "string" && !restartPolicies.includes(restartPolicy))
    errors.push({
      type: "NotSupported",
      field: `${field}.restartPolicy`,
      value: restartPolicy,
      detail: 'supported values: "Always", "OnFailure", "Never"'
    })
  return errors
}

/** A `metav1.LabelSelector` object as the requirements `matchesLabels` checks; `undefined` for an unknown operator (matches nothing). */
const requirementsOf = (selector: JsonObject): LabelSelector | undefined => {
  const requirements: Array<Selector.LabelRequirement> = [...Selector.fromLabels(stringMapAt(selector, "matchLabels"))]
  for (const expression of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isRecord(expression) || typeof expression.key !== "string") continue
    const values = stringsAt(expression, "values")
    const key = expression.key
    switch (expression.operator) {
      case "In":
        requirements.push(Selector.isIn(key, values))
        break
      case "NotIn":
        requirements.push(Selector.notIn(key, values))
        break
      case "Exists":
        requirements.push(Selector.exists(key))
        break
      case "DoesNotExist":
        requirements.push(Selector.doesNotExist(key))
        break
      default:
        return undefined
    }
  }
  return requirements
}

/** The rules of a workload with replicas, a selector and a pod template (deployments, replica sets, stateful sets, daemon sets). */
const workloadProblems = (spec: JsonObject, kind: string): ReadonlyArray<FieldError> => {
  const errors: Array<FieldError> = []
  const replicas = spec.replicas
  if (typeof replicas === "number" && replicas < 0)
    errors.push({
      type: "Invalid",
      field: "spec.replicas",
      value: replicas,
      detail: "must be greater than or equal to 0"
    })
  const selector = spec.selector
  const template = isRecord(spec.template) ? spec.template : {}
  const templateMetadata = isRecord(template.metadata) ? template.metadata : {}
  const labels = isRecord(templateMetadata.labels) ? templateMetadata.labels : undefined
  if (!isRecord(selector)) errors.push({ type: "Required", field: "spec.selector" })
  else if (
    Object.keys(isRecord(selector.matchLabels) ? selector.matchLabels : {}).length === 0 &&
    !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0)
  )
    errors.push({
      type: "Invalid",
      field: "spec.selector",
      value: selector,
      detail: `empty selector is invalid for ${kind.toLowerCase()}`
    })
  const requirements = isRecord(selector) ? requirementsOf(selector) : undefined
  if (requirements === undefined || !matchesLabels(requirements, stringMapAt(templateMetadata, "labels")))
    errors.push({
      type: "Invalid",
      field: "spec.template.metadata.labels",
      value: labels ?? null,
      detail: "`selector` does not match template `labels`"
    })
  if (isRecord(template.spec)) errors.push(...podSpecProblems(template.spec, "spec.template.spec"))
  return errors
}

const serviceProtocols = ["SCTP", "TCP", "UDP"]

const portProblems = (value: unknown, field: string): ReadonlyArray<FieldError> =>
  typeof value === "number" && (!Number.isInteger(value) || value < 1 || value > 65535)
    ? [{ type: "Invalid", field, value, detail: "must be between 1 and 65535, inclusive" }]
    : []

/** `ValidateService`, its common rules: ports (required unless headless or ExternalName), names, ranges, protocols. */
const serviceProblems = (spec: JsonObject): ReadonlyArray<FieldError> => {
  if (spec.type === "ExternalName") return []
  const ports = Array.isArray(spec.ports) ? spec.ports : []
  if (ports.length === 0) return spec.clusterIP === "None" ? [] : [{ type: "Required", field: "spec.ports" }]
  const errors: Array<FieldError> = []
  ports.forEach((port, index) => {
    const item = isRecord(port) ? port : {}
    const field = `spec.ports[${index}]`
    if (ports.length > 1 && (typeof item.name !== "string" || item.name === ""))
      errors.push({ type: "Required", field: `${field}.name` })
    errors.push(...portProblems(item.port, `${field}.port`))
    if (typeof item.protocol === "string" && !serviceProtocols.includes(item.protocol))
      errors.push({
        type: "NotSupported",
        field: `${field}.protocol`,
        value: item.protocol,
        detail: 'supported values: "SCTP", "TCP", "UDP"'
      })
    errors.push(...portProblems(item.targetPort, `${field}.targetPort`))
  })
  return errors
}

/** The keys a Secret of a known type must carry. */
const secretRequiredKeys: { readonly [type: string]: ReadonlyArray<string> } = {
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/basic-auth": [],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"]
}

const secretProblems = (secret: JsonObject): ReadonlyArray<FieldError> => {
  const required = typeof secret.type === "string" ? (secretRequiredKeys[secret.type] ?? []) : []
  const data = isRecord(secret.data) ? secret.data : {}
  return required
    .filter((key) => !Object.hasOwn(data, key))
    .map((key) => ({ type: "Required" as const, field: `data[${key}]` }))
}

/**
 * The field errors of a built-in object's content, for the kinds and rules
 * modelled (pods and pod templates, workloads, services, secrets); checked
 * after defaulting, as the server does.
 */
export const validateObject = (apiVersion: string, kind: string, object: JsonObject): ReadonlyArray<FieldError> => {
  const spec = isRecord(object.spec) ? object.spec : {}
  switch (`${apiVersion}/${kind}`) {
    case "v1/Pod":
      return podSpecProblems(spec, "spec")
    case "apps/v1/Deployment":
    case "apps/v1/ReplicaSet":
    case "apps/v1/StatefulSet":
    case "apps/v1/DaemonSet":
      return workloadProblems(spec, kind)
    case "v1/Service":
      return serviceProblems(spec)
    case "v1/Secret":
      return secretProblems(object)
    default:
      return []
  }
}
