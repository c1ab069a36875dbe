/**
 * Renders the model as TypeScript: one module per group-version with an
 * interface and an open schema per definition and a resource descriptor per
 * kind. The output is regular on purpose: every top-level call is annotated
 * `/*#__PURE__*\/` so bundlers drop what a program does not use, every export
 * carries the spec's description, and nothing depends on the order the input
 * listed things in beyond the spec's own property order.
 */
import * as Path from "node:path"
import type { Api, Definition, Module } from "./Model.js"
import { moduleAlias } from "./Placement.js"
import { referenceOf, type SchemaObject } from "./Spec.js"
import * as Tables from "./Tables.js"
import { docComment, header, wrap } from "./Text.js"

/** Globals a definition may be named after (apiextensions' `JSON`); Biome flags shadowing them. */
const shadowedGlobals = new Set(Object.getOwnPropertyNames(globalThis))

const pure = (call: string): string => `/*#__PURE__*/ ${call}`

const propertyKey = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name))

/** A TypeScript type and the schema expression that decodes it. */
interface Rendered {
  readonly type: string
  readonly schema: string
}

const unknownObject: Rendered = { type: "{ readonly [key: string]: unknown }", schema: "UnknownObject" }

/** The name a definition's schema is exported under: kinds keep their name for the descriptor. */
const schemaName = (definition: Definition): string =>
  definition.resource === undefined ? definition.placement.name : `${definition.placement.name}Schema`

/** Collects the imports one module needs while it is rendered. */
class Imports {
  private readonly namespaces = new Map<string, string>()
  private readonly named = new Map<string, Set<string>>()

  constructor(private readonly fromFile: string) {}

  /** The import specifier of a file (`src/...`) or a package, from the module being rendered. */
  specifier(file: string): string {
    if (!file.startsWith("src/")) return file
    const relative = Path.posix.relative(Path.posix.dirname(this.fromFile), file).replace(/\.ts$/, ".js")
    return relative.startsWith(".") ? relative : `./${relative}`
  }

  namespace(file: string, alias: string): string {
    this.namespaces.set(this.specifier(file), alias)
    return alias
  }

  name(file: string, name: string): string {
    const specifier = this.specifier(file)
    const names = this.named.get(specifier) ?? new Set()
    names.add(name)
    this.named.set(specifier, names)
    return name
  }

  aliases(): ReadonlyArray<string> {
    return [...this.namespaces.values(), ...[...this.named.values()].flatMap((names) => [...names])]
  }

  render(): string {
    const lines: Array<string> = []
    for (const [specifier, alias] of this.namespaces) lines.push(`import * as ${alias} from "${specifier}"`)
    for (const [specifier, names] of this.named)
      lines.push(`import { ${[...names].sort().join(", ")} } from "${specifier}"`)
    return lines.sort().join("\n")
  }
}

const coreFile = (module: string): string => `src/core/${module}.ts`
const apiFile = (module: string): string => `src/api/${module}.ts`

/** Renders one group-version module. */
class ModuleRenderer {
  readonly file: string
  readonly imports: Imports

  constructor(
    private readonly api: Api,
    private readonly module: Module
  ) {
    this.file = apiFile(module.path)
    this.imports = new Imports(this.file)
  }

  private definition(id: string): Definition {
    const definition = this.api.definitions.get(id)
    if (definition === undefined) throw new Error(`unknown definition ${id}`)
    return definition
  }

  /** The type and schema of a reference to another definition, seen from `from`. */
  private reference(id: string, from: Definition): Rendered {
    const target = this.definition(id)
    const { placement } = target
    if (placement.core?.typeOnly === true) throw new Error(`${from.id} refers to ${id}, which has no schema`)
    let type: string
    let schema: string
    if (placement.module === this.module.path) {
      type = placement.name
      schema = schemaName(target)
    } else if (placement.module !== undefined) {
      const alias = this.imports.namespace(apiFile(placement.module), moduleAlias(placement.module))
      type = `${alias}.${placement.name}`
      schema = `${alias}.${schemaName(target)}`
    } else if (placement.core !== undefined) {
      const alias = this.imports.namespace(coreFile(placement.core.module), placement.core.module)
      type = `${alias}.${placement.core.name}`
      schema = type
    } else {
      throw new Error(`cannot refer to ${id}`)
    }
    if (from.cyclic.has(id)) {
      schema = pure(`Schema.suspend((): Schema.Codec<${type}> => ${schema})`)
    }
    return { type, schema }
  }

  /** The type and schema of a schema object found inside `from`. */
  render(node: SchemaObject, from: Definition): Rendered {
    const reference = referenceOf(node)
    if (reference !== undefined) return this.reference(reference, from)
    if (node["x-kubernetes-int-or-string"] === true || node.format === "int-or-string") {
      const alias = this.imports.namespace(coreFile("IntOrString"), "IntOrString")
      return { type: `${alias}.IntOrString`, schema: `${alias}.IntOrString` }
    }
    switch (node.type) {
      case "string":
        return { type: "string", schema: "Schema.String" }
      case "integer":
        return { type: "number", schema: "Schema.Int" }
      case "number":
        return { type: "number", schema: "Schema.Number" }
      case "boolean":
        return { type: "boolean", schema: "Schema.Boolean" }
      case "array": {
        const items =
          node.items === undefined ? { type: "unknown", schema: "Schema.Unknown" } : this.render(node.items, from)
        return { type: `ReadonlyArray<${items.type}>`, schema: pure(`Schema.Array(${items.schema})`) }
      }
      case "object": {
        if (node.properties !== undefined && Object.keys(node.properties).length > 0) {
          const fields = this.fields(node, from)
          return { type: `{\n${fields.type}}`, schema: pure(`${this.openStruct()}({\n${fields.schema}})`) }
        }
        if (typeof node.additionalProperties === "object") {
          const values = this.render(node.additionalProperties, from)
          return {
            type: `{ readonly [key: string]: ${values.type} }`,
            schema: pure(`Schema.Record(Schema.String, ${values.schema})`)
          }
        }
        this.imports.name(coreFile("internal/open"), "UnknownObject")
        return unknownObject
      }
      case undefined:
        return { type: "unknown", schema: "Schema.Unknown" }
      default:
        throw new Error(`${from.id}: unsupported type ${node.type}`)
    }
  }

  private openStruct(): string {
    return this.imports.name(coreFile("internal/open"), "openStruct")
  }

  /** The interface members and struct fields of an object schema. */
  private fields(node: SchemaObject, from: Definition): Rendered {
    const required = new Set(node.required ?? [])
    let type = ""
    let schema = ""
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      const rendered = this.render(property, from)
      const optional = !required.has(name)
      const key = propertyKey(name)
      type += `${docComment(property.description)}readonly ${key}${optional ? "?" : ""}: ${rendered.type}\n`
      schema += `${key}: ${optional ? pure(`Schema.optionalKey(${rendered.schema})`) : rendered.schema},\n`
    }
    return { type, schema }
  }

  /** The declarations of one definition. */
  private declaration(definition: Definition): string {
    const { placement, schema: node } = definition
    const name = placement.name
    const doc = docComment(node.description)
    if (definition.listOf !== undefined) {
      const kind = this.definition(definition.listOf)
      const objectList = this.imports.namespace(coreFile("ObjectList"), "ObjectList")
      return (
        `${doc}export type ${name} = ${objectList}.ObjectList<${kind.placement.name}>\n\n` +
        `${doc}export const ${name}: Schema.Codec<${name}, unknown> = ${pure(`${objectList}.schema(${schemaName(kind)})`)}\n`
      )
    }
    const rendered = this.render(node, definition)
    const isInterface =
      node.type === "object" && node.properties !== undefined && Object.keys(node.properties).length > 0
    const typeDeclaration = isInterface
      ? `${doc}export interface ${name} ${rendered.type}\n`
      : `${doc}export type ${name} = ${rendered.type}\n`
    const value = schemaName(definition)
    const ignore = shadowedGlobals.has(value)
      ? "// biome-ignore lint/suspicious/noShadowRestrictedNames: the spec's name for the definition\n"
      : ""
    return `${typeDeclaration}\n${doc}${ignore}export const ${value}: Schema.Codec<${name}> = ${rendered.schema}\n`
  }

  private descriptor(definition: Definition): string {
    const resource = definition.resource
    if (resource === undefined) return ""
    const name = definition.placement.name
    const list = this.module.definitions.find((candidate) => candidate.listOf === definition.id)
    const resourceModule = this.imports.namespace(coreFile("Resource"), "Resource")
    const scope = resource.namespaced ? "namespaced" : "cluster-scoped"
    const summary = wrap(
      `The \`${resource.plural}\` resource (${scope}); verbs: ${resource.verbs.join(", ")}` +
        (resource.subresources.length > 0 ? `; subresources: ${resource.subresources.join(", ")}.` : "."),
      80
    )
    const description = definition.schema.description
    const doc = docComment(description === undefined ? summary : `${description}\n\n${summary}`)
    const options = [
      `group: ${JSON.stringify(resource.group)}`,
      `version: ${JSON.stringify(resource.version)}`,
      `kind: ${JSON.stringify(resource.kind)}`,
      `plural: ${JSON.stringify(resource.plural)}`,
      `namespaced: ${resource.namespaced}`,
      `verbs: ${JSON.stringify(resource.verbs)}`,
      `subresources: ${JSON.stringify(resource.subresources)}`,
      `schema: ${schemaName(definition)}`,
      ...(list === undefined ? [] : [`listSchema: ${list.placement.name}`])
    ]
    return `${doc}export const ${name}: ${resourceModule}.Resource<${name}> = ${pure(
      `${resourceModule}.make({\n${options.join(",\n")}\n})`
    )}\n`
  }

  /** The re-exports of definitions the core owns, for the module of their Go package. */
  private coreReexports(): string {
    const byModule = new Map<string, { values: Array<string>; types: Array<string> }>()
    for (const definition of this.module.definitions) {
      const core = definition.placement.core
      if (core === undefined) continue
      const entry = byModule.get(core.module) ?? { values: [], types: [] }
      if (core.typeOnly) entry.types.push(core.name)
      else entry.values.push(this.imports.name(coreFile(core.module), core.name))
      byModule.set(core.module, entry)
    }
    let out = ""
    for (const [module, { values, types }] of [...byModule].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const specifier = this.imports.specifier(coreFile(module))
      if (values.length > 0) out += `export { ${values.sort().join(", ")} }\n`
      if (types.length > 0) out += `export type { ${types.sort().join(", ")} } from "${specifier}"\n`
    }
    return out
  }

  private moduleDoc(): string {
    const kinds = this.module.definitions.flatMap((definition) =>
      definition.resource === undefined ? [] : [definition.resource]
    )
    const generated = this.module.definitions.filter((definition) => definition.placement.core === undefined)
    const apiVersions = [
      ...new Set(kinds.map((kind) => (kind.group === "" ? kind.version : `${kind.group}/${kind.version}`)))
    ]
    let text = `The \`${this.module.path}\` API: schemas and types for its ${generated.length} definitions`
    if (kinds.length > 0) {
      text +=
        `, and resource descriptors for its ${kinds.length} kinds, served as apiVersion ` +
        `${apiVersions.map((apiVersion) => `\`${apiVersion}\``).join(", ")}: ${kinds.map((kind) => kind.kind).join(", ")}.`
    } else {
      text += "."
    }
    text +=
      " Every object schema keeps the fields it does not know, so a decoded object" +
      " re-encodes to what the server sent."
    if (kinds.length > 0) {
      text += " A kind's name is both its object type and its resource descriptor; its object schema is `<Kind>Schema`."
    }
    return docComment(`${wrap(text, 80)}\n\n@since 0.1.0`)
  }

  renderModule(): string {
    const body: Array<string> = []
    const reexports = this.coreReexports()
    if (reexports !== "") body.push(reexports)
    for (const definition of this.module.definitions) {
      if (definition.placement.core !== undefined) continue
      body.push(this.declaration(definition))
    }
    for (const definition of this.module.definitions) {
      const descriptor = this.descriptor(definition)
      if (descriptor !== "") body.push(descriptor)
    }
    // Every generated declaration is annotated `Schema.Codec<...>`; a module of re-exports only needs no Schema.
    if (this.module.definitions.some((definition) => definition.placement.core === undefined)) {
      this.imports.name("effect", "Schema")
    }
    this.checkNames()
    return `${header(this.api.source)}\n${this.moduleDoc()}${this.imports.render()}\n\n${body.join("\n")}`
  }

  /** Fails when two exports, or an export and an import alias, would share a name. */
  private checkNames(): void {
    const exported = new Set<string>()
    for (const definition of this.module.definitions) {
      if (definition.placement.core !== undefined) continue
      const names = new Set([definition.placement.name, schemaName(definition)])
      for (const name of names) {
        if (exported.has(name)) throw new Error(`${this.module.path}: two exports named ${name}`)
        exported.add(name)
      }
    }
    for (const alias of this.imports.aliases()) {
      if (exported.has(alias)) throw new Error(`${this.module.path}: import ${alias} clashes with an exported name`)
    }
  }
}

/** The file path and text of one generated module. */
export interface File {
  readonly path: string
  readonly text: string
}

/** Renders every group-version module. */
export const modules = (api: Api): ReadonlyArray<File> =>
  api.modules.map((module) => {
    const renderer = new ModuleRenderer(api, module)
    return { path: renderer.file, text: renderer.renderModule() }
  })

/** Every generated file. */
export const files = (api: Api): ReadonlyArray<File> => [
  ...modules(api),
  { path: "src/api/registry.ts", text: Tables.registry(api) },
  { path: "src/api/patchMetadata.ts", text: Tables.patchMetadata(api) }
]
