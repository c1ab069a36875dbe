/**
 * The server side of label and field selectors: parsing the strings
 * `labelSelector` and `fieldSelector` carry (the grammar of apimachinery's
 * `labels.Parse` and `fields.ParseSelector`), and matching objects against
 * them. Field selectors are limited, as on the real server, to
 * `metadata.name`, `metadata.namespace` and the fields each kind registers;
 * any other field is a 400 with the server's message.
 */
import type * as Selector from "../../core/Selector.js"
import { isRecord, type JsonObject, recordAt, stringAt, stringMapAt } from "./json.js"
import type { ResourceType } from "./resourceTypes.js"
import { badRequest } from "./status.js"

/** A parsed label selector: every requirement must hold. */
export type LabelSelector = ReadonlyArray<Selector.LabelRequirement>

/** A parsed field selector: every requirement must hold. */
export type FieldSelector = ReadonlyArray<Selector.FieldRequirement>

const tokenPattern = /\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)/y

const tokenize = (text: string): Array<string> => {
  const tokens: Array<string> = []
  tokenPattern.lastIndex = 0
  while (tokenPattern.lastIndex < text.length) {
    const start = tokenPattern.lastIndex
    const match = tokenPattern.exec(text)
    if (match === null || match[1] === undefined) {
      if (text.slice(start).trim() === "") break
      throw badRequest(`unable to parse requirement: found '${text.slice(start).trim()}'`)
    }
    tokens.push(match[1])
  }
  return tokens
}

const isIdentifier = (token: string | undefined): token is string =>
  token !== undefined && !["!=", "==", "=", "(", ")", ",", "!"].includes(token)

/** Parses a label selector string; an empty string selects everything. */
export const parseLabelSelector = (text: string): LabelSelector => {
  const tokens = tokenize(text)
  const requirements: Array<Selector.LabelRequirement> = []
  let position = 0
  const peek = () => tokens[position]
  const next = () => tokens[position++]
  const expectValues = (): Array<string> => {
    const open = next()
    if (open !== "(") throw badRequest(`unable to parse requirement: found '${open ?? ""}' expected: '('`)
    const values: Array<string> = []
    for (;;) {
      const token = next()
      if (token === ")") return values
      if (token === ",") continue
      if (!isIdentifier(token)) throw badRequest(`unable to parse requirement: found '${token ?? ""}', expected: ')'`)
      values.push(token)
    }
  }
  while (position < tokens.length) {
    const first = next()
    if (first === "!") {
      const key = next()
      if (!isIdentifier(key))
        throw badRequest(`unable to parse requirement: found '${key ?? ""}', expected: identifier`)
      requirements.push({ _tag: "DoesNotExist", key })
    } else if (isIdentifier(first)) {
      const operator = peek()
      if (operator === undefined || operator === ",") {
        requirements.push({ _tag: "Exists", key: first })
      } else if (operator === "=" || operator === "==" || operator === "!=") {
        next()
        const value = isIdentifier(peek()) ? (next() ?? "") : ""
        requirements.push(
          operator === "!=" ? { _tag: "NotEquals", key: first, value } : { _tag: "Equals", key: first, value }
        )
      } else if (operator === "in" || operator === "notin") {
        next()
        const values = expectValues()
        requirements.push(
          operator === "in" ? { _tag: "In", key: first, values } : { _tag: "NotIn", key: first, values }
        )
      } else {
        throw badRequest(`unable to parse requirement: found '${operator}', expected: in, notin, =, ==, !=, gt, lt`)
      }
    } else {
      throw badRequest(`unable to parse requirement: found '${first ?? ""}', expected: !, identifier`)
    }
    const separator = next()
    if (separator !== undefined && separator !== ",")
      throw badRequest(`unable to parse requirement: found '${separator}', expected: ','`)
  }
  return requirements
}

/** Whether labels satisfy a selector. */
export const matchesLabels = (selector: LabelSelector, labels: { readonly [key: string]: string }): boolean => {
  for (const requirement of selector) {
    const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined
    switch (requirement._tag) {
      case "Exists":
        if (value === undefined) return false
        break
      case "DoesNotExist":
        if (value !== undefined) return false
        break
      case "Equals":
        if (value !== requirement.value) return false
        break
      case "NotEquals":
        if (value === requirement.value) return false
        break
      case "In":
        if (value === undefined || !requirement.values.includes(value)) return false
        break
      case "NotIn":
        if (value !== undefined && requirement.values.includes(value)) return false
        break
    }
  }
  return true
}

/** Splits on an unescaped separator, keeping escapes. */
const splitUnescaped = (text: string, separator: string): Array<string> => {
  const parts: Array<string> = []
  let current = ""
  for (let index = 0; index < text.length; index++) {
    const character = text[index] ?? ""
    if (character === "\\") {
      current += character + (text[index + 1] ?? "")
      index++
    } else if (character === separator) {
      parts.push(current)
      current = ""
    } else current += character
  }
  parts.push(current)
  return parts
}

const removeEscapes = (value: string) => value.replace(/\\(.)/g, "$1")

/** Parses a field selector string (`a=b,c!=d`, backslash escapes); an empty string selects everything. */
export const parseFieldSelector = (text: string): FieldSelector => {
  if (text.trim() === "") return []
  return splitUnescaped(text, ",").map((part) => {
    for (let index = 0; index < part.length; index++) {
      const character = part[index]
      if (character === "\\") {
        index++
        continue
      }
      if (character !== "=" && !(character === "!" && part[index + 1] === "=")) continue
      const operator = character === "!" ? "!=" : part[index + 1] === "=" ? "==" : "="
      return {
        path: removeEscapes(part.slice(0, index).trim()),
        operator: operator === "!=" ? "!=" : "=",
        value: removeEscapes(part.slice(index + operator.length))
      }
    }
    throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`)
  })
}

type FieldGetter = (object: JsonObject) => string

const metadataName: FieldGetter = (object) => stringAt(recordAt(object, "metadata"), "name") ?? ""
const metadataNamespace: FieldGetter = (object) => stringAt(recordAt(object, "metadata"), "namespace") ?? ""

const at =
  (...path: ReadonlyArray<string>): FieldGetter =>
  (object) => {
    let current: unknown = object
    for (const key of path) current = isRecord(current) ? current[key] : undefined
    if (typeof current === "string") return current
    if (typeof current === "number" || typeof current === "boolean") return String(current)
    return ""
  }

/** Extra selectable fields per `group/kind`, as registered by the kinds' field label conversions. */
const kindFields: Record<string, Record<string, FieldGetter>> = {
  "/Pod": {
    "spec.nodeName": at("spec", "nodeName"),
    "spec.restartPolicy": at("spec", "restartPolicy"),
    "spec.schedulerName": at("spec", "schedulerName"),
    "spec.serviceAccountName": at("spec", "serviceAccountName"),
    "spec.hostNetwork": (object) => String(recordAt(object, "spec").hostNetwork === true),
    "status.phase": at("status", "phase"),
    "status.podIP": at("status", "podIP"),
    "status.nominatedNodeName": at("status", "nominatedNodeName")
  },
  "/Event": {
    "involvedObject.kind": at("involvedObject", "kind"),
    "involvedObject.namespace": at("involvedObject", "namespace"),
    "involvedObject.name": at("involvedObject", "name"),
    "involvedObject.uid": at("involvedObject", "uid"),
    "involvedObject.apiVersion": at("involvedObject", "apiVersion"),
    "involvedObject.resourceVersion": at("involvedObject", "resourceVersion"),
    "involvedObject.fieldPath": at("involvedObject", "fieldPath"),
    reason: at("reason"),
    reportingComponent: at("reportingComponent"),
    source: at("source", "component"),
    type: at("type")
  },
  "/Namespace": { "status.phase": at("status", "phase") },
  "/Node": { "spec.unschedulable": (object) => String(recordAt(object, "spec").unschedulable === true) },
  "/Secret": { type: at("type") },
  "/ReplicationController": { "status.replicas": at("status", "replicas") },
  "/PersistentVolume": {},
  "apps/ReplicaSet": { "status.replicas": at("status", "replicas") },
  "batch/Job": { "status.successful": at("status", "succeeded") },
  "certificates.k8s.io/CertificateSigningRequest": { "spec.signerName": at("spec", "signerName") }
}

/** The field getter of a field path for a kind; throws the server's 400 for an unsupported one. */
const getterOf = (type: ResourceType, path: string): FieldGetter => {
  if (path === "metadata.name") return metadataName
  if (path === "metadata.namespace" && (type.namespaced || type.custom)) return metadataNamespace
  if (type.custom) {
    if (type.selectableFields.includes(path)) return at(...path.split("."))
    throw badRequest(`field label not supported: ${path}`)
  } else {
    const fields = kindFields[`${type.group}/${type.kind}`]
    if (fields !== undefined) {
      const getter = fields[path]
      if (getter !== undefined) return getter
      throw badRequest(`field label not supported: ${path}`)
    }
  }
  const known = ["metadata.name", "metadata.namespace", ...type.selectableFields].map((field) => `"${field}"`)
  throw badRequest(`"${path}" is not a known field selector: only ${known.join(", ")}`)
}

/** A compiled field selector: checks fields once, then matches cheaply. */
export type FieldMatcher = (object: JsonObject) => boolean

/** Compiles a field selector for a kind; fails with the server's 400 on an unsupported field. */
export const compileFieldSelector = (type: ResourceType, selector: FieldSelector): FieldMatcher | undefined => {
  if (selector.length === 0) return undefined
  const checks = selector.map((requirement) => ({
    getter: getterOf(type, requirement.path),
    equals: requirement.operator === "=",
    value: requirement.value
  }))
  return (object) => checks.every((check) => (check.getter(object) === check.value) === check.equals)
}

/** The labels of an object. */
export const labelsOf = (object: JsonObject): { readonly [key: string]: string } =>
  stringMapAt(recordAt(object, "metadata"), "labels")
