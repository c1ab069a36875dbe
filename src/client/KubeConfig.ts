/**
 * Kubeconfig files, read by client-go's rules: parsing (YAML, unknown fields
 * tolerated), merging several files, selecting a context, and validating
 * the chosen cluster and user. Pure: reading files and running credential
 * plugins happen elsewhere (`KubeConfigLoader`, `Credentials`).
 *
 * Merging (client-go's `ClientConfigLoadingRules`): files are taken in
 * `KUBECONFIG` order; for clusters, users and contexts the **first** file to
 * define a name wins, as a whole entry (a later entry of the same name is
 * ignored, not field-merged); the first non-empty `current-context` wins; a
 * name defined twice inside one file is an error. Every entry remembers the
 * file it came from, because relative paths in it (certificate-authority,
 * client-certificate, client-key, tokenFile, and an exec command containing a
 * path separator) resolve against that file's directory. `~` is not expanded.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { parse as parseYaml } from "yaml"
import { KubeConfigError } from "./KubeError.js"

const optionalString = Schema.optionalKey(Schema.NullOr(Schema.String))
const optionalBoolean = Schema.optionalKey(Schema.NullOr(Schema.Boolean))

const NamedValue = Schema.Struct({ name: Schema.String, value: Schema.String })

/**
 * An exec credential plugin (`users[].user.exec`).
 *
 * @category models
 */
export const ExecConfig = Schema.Struct({
  command: Schema.String,
  args: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.String))),
  env: Schema.optionalKey(Schema.NullOr(Schema.Array(NamedValue))),
  apiVersion: Schema.String,
  installHint: optionalString,
  provideClusterInfo: optionalBoolean,
  interactiveMode: Schema.optionalKey(Schema.NullOr(Schema.Literals(["Never", "IfAvailable", "Always"])))
})
/** An exec credential plugin, decoded. @category models */
export type ExecConfig = typeof ExecConfig.Type

const Extension = Schema.Struct({ name: Schema.String, extension: Schema.Unknown })

/** A cluster entry (`clusters[].cluster`): the server, how to trust it, a proxy. @category models */
export const Cluster = Schema.Struct({
  server: optionalString,
  "tls-server-name": optionalString,
  "insecure-skip-tls-verify": optionalBoolean,
  "certificate-authority": optionalString,
  "certificate-authority-data": optionalString,
  "proxy-url": optionalString,
  "disable-compression": optionalBoolean,
  extensions: Schema.optionalKey(Schema.NullOr(Schema.Array(Extension)))
})
/** A cluster entry, decoded. @category models */
export type Cluster = typeof Cluster.Type

/** A user entry (`users[].user`): token, token file, client certificate, basic auth, impersonation or exec plugin. @category models */
export const User = Schema.Struct({
  "client-certificate": optionalString,
  "client-certificate-data": optionalString,
  "client-key": optionalString,
  "client-key-data": optionalString,
  token: optionalString,
  tokenFile: optionalString,
  as: optionalString,
  "as-uid": optionalString,
  "as-groups": Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.String))),
  "as-user-extra": Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.Array(Schema.String)))),
  username: optionalString,
  password: optionalString,
  exec: Schema.optionalKey(Schema.NullOr(ExecConfig)),
  "auth-provider": Schema.optionalKey(Schema.NullOr(Schema.Struct({ name: Schema.String })))
})
/** A user entry, decoded. @category models */
export type User = typeof User.Type

/** A context entry (`contexts[].context`): a cluster, a user and a default namespace by name. @category models */
export const Context = Schema.Struct({
  cluster: Schema.String,
  user: Schema.optionalKey(Schema.NullOr(Schema.String)),
  namespace: optionalString
})
/** A context entry, decoded. @category models */
export type Context = typeof Context.Type

const NamedCluster = Schema.Struct({ name: Schema.String, cluster: Schema.optionalKey(Schema.NullOr(Cluster)) })
const NamedUser = Schema.Struct({ name: Schema.String, user: Schema.optionalKey(Schema.NullOr(User)) })
const NamedContext = Schema.Struct({ name: Schema.String, context: Schema.optionalKey(Schema.NullOr(Context)) })

/**
 * One kubeconfig file as written.
 *
 * @category models
 */
export const KubeConfigFile = Schema.Struct({
  apiVersion: optionalString,
  kind: optionalString,
  "current-context": optionalString,
  clusters: Schema.optionalKey(Schema.NullOr(Schema.Array(NamedCluster))),
  users: Schema.optionalKey(Schema.NullOr(Schema.Array(NamedUser))),
  contexts: Schema.optionalKey(Schema.NullOr(Schema.Array(NamedContext)))
})

/**
 * An entry of a merged kubeconfig, with the file that defined it.
 *
 * @category models
 */
export interface Sourced<A> {
  readonly name: string
  readonly value: A
  /** The file the entry came from; relative paths in it resolve against its directory. */
  readonly file: string | undefined
}

/**
 * One or more kubeconfig files merged by client-go's rules.
 *
 * @category models
 */
export interface KubeConfig {
  readonly currentContext: string | undefined
  readonly clusters: ReadonlyMap<string, Sourced<Cluster>>
  readonly users: ReadonlyMap<string, Sourced<User>>
  readonly contexts: ReadonlyMap<string, Sourced<Context>>
  /** The files that were read, in order. */
  readonly files: ReadonlyArray<string>
}

/**
 * A parsed file: its entries, and where it came from (undefined for text).
 *
 * @category models
 */
export interface ParsedFile {
  readonly file: string | undefined
  readonly currentContext: string | undefined
  readonly clusters: ReadonlyArray<Sourced<Cluster>>
  readonly users: ReadonlyArray<Sourced<User>>
  readonly contexts: ReadonlyArray<Sourced<Context>>
}

const decodeFile = Schema.decodeUnknownResult(KubeConfigFile)

const error = (reason: KubeConfigError["reason"], file: string | undefined, detail: string, entry?: string) =>
  new KubeConfigError({
    reason,
    ...(file === undefined ? {} : { file }),
    ...(entry === undefined ? {} : { entry }),
    detail
  })

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined || value === "" ? undefined : value

/**
 * Parses one kubeconfig text. Fails on malformed YAML, on a document that
 * does not have the kubeconfig shape (naming the offending field), and on a
 * name defined twice in the file. An empty file is an empty config.
 *
 * @category parsing
 */
export const parse = (text: string, file?: string): Result.Result<ParsedFile, KubeConfigError> => {
  let document: unknown
  try {
    document = parseYaml(text)
  } catch (cause) {
    return Result.fail(
      error(
        "Malformed",
        file,
        `not valid YAML: ${cause instanceof Error ? cause.message.split("\n")[0] : "parse error"}`
      )
    )
  }
  if (document === null || document === undefined) document = {}
  const decoded = decodeFile(document)
  if (Result.isFailure(decoded)) {
    return Result.fail(error("Malformed", file, `not a kubeconfig: ${decoded.failure.message.replace(/\s+/g, " ")}`))
  }
  const config = decoded.success
  const collect = <A>(
    kind: string,
    list: ReadonlyArray<{ readonly name: string; readonly value: A | null | undefined }>
  ): Result.Result<Array<Sourced<A>>, KubeConfigError> => {
    const seen = new Set<string>()
    const result: Array<Sourced<A>> = []
    for (const item of list) {
      if (seen.has(item.name))
        return Result.fail(
          error("Invalid", file, `${kind} "${item.name}" is defined twice in this file`, `${kind} "${item.name}"`)
        )
      seen.add(item.name)
      if (item.value !== null && item.value !== undefined) result.push({ name: item.name, value: item.value, file })
    }
    return Result.succeed(result)
  }
  const clusters = collect(
    "cluster",
    (config.clusters ?? []).map((item) => ({ name: item.name, value: item.cluster ?? {} }))
  )
  if (Result.isFailure(clusters)) return Result.fail(clusters.failure)
  const users = collect(
    "user",
    (config.users ?? []).map((item) => ({ name: item.name, value: item.user ?? {} }))
  )
  if (Result.isFailure(users)) return Result.fail(users.failure)
  const contexts = collect(
    "context",
    (config.contexts ?? []).map((item) => ({ name: item.name, value: item.context }))
  )
  if (Result.isFailure(contexts)) return Result.fail(contexts.failure)
  return Result.succeed({
    file,
    currentContext: nonEmpty(config["current-context"]),
    clusters: clusters.success,
    users: users.success,
    contexts: contexts.success
  })
}

/**
 * Merges parsed files in order: the first definition of a name wins as a
 * whole entry, and the first non-empty current-context wins.
 *
 * @category merging
 */
export const merge = (files: ReadonlyArray<ParsedFile>): KubeConfig => {
  const clusters = new Map<string, Sourced<Cluster>>()
  const users = new Map<string, Sourced<User>>()
  const contexts = new Map<string, Sourced<Context>>()
  let currentContext: string | undefined
  for (const file of files) {
    currentContext ??= file.currentContext
    for (const entry of file.clusters) if (!clusters.has(entry.name)) clusters.set(entry.name, entry)
    for (const entry of file.users) if (!users.has(entry.name)) users.set(entry.name, entry)
    for (const entry of file.contexts) if (!contexts.has(entry.name)) contexts.set(entry.name, entry)
  }
  return {
    currentContext,
    clusters,
    users,
    contexts,
    files: files.flatMap((file) => (file.file === undefined ? [] : [file.file]))
  }
}

/**
 * Overrides of what the kubeconfig selects (kubectl's `--context`,
 * `--cluster`, `--user`, `--namespace`).
 *
 * @category models
 */
export interface Overrides {
  readonly context?: string
  readonly cluster?: string
  readonly user?: string
  readonly namespace?: string
}

/**
 * The context, cluster and user a kubeconfig selects.
 *
 * @category models
 */
export interface Selection {
  /** The context's name, or a description when overrides chose the entries. */
  readonly contextName: string
  readonly cluster: Sourced<Cluster>
  /** Absent when the context names no user: anonymous requests. */
  readonly user: Sourced<User> | undefined
  readonly namespace: string
}

/**
 * Selects the context (the override, else current-context), then its
 * cluster and user (each overridable), then the namespace (override, else
 * the context's, else `default`), and validates them as client-go does.
 *
 * @category selection
 */
export const select = (config: KubeConfig, overrides: Overrides = {}): Result.Result<Selection, KubeConfigError> => {
  const where = config.files.join(", ") || undefined
  const contextName = overrides.context ?? config.currentContext
  let context: Sourced<Context> | undefined
  if (contextName !== undefined) {
    context = config.contexts.get(contextName)
    if (context === undefined)
      return Result.fail(
        error("MissingContext", where, `context "${contextName}" is not defined`, `context "${contextName}"`)
      )
  } else if (overrides.cluster === undefined) {
    return Result.fail(error("MissingContext", where, "no current-context is set and no context was chosen"))
  }
  const clusterName = overrides.cluster ?? context?.value.cluster
  const cluster = clusterName === undefined ? undefined : config.clusters.get(clusterName)
  if (clusterName === undefined || cluster === undefined)
    return Result.fail(
      error(
        "MissingCluster",
        context?.file ?? where,
        `cluster "${clusterName ?? ""}" is not defined`,
        `cluster "${clusterName ?? ""}"`
      )
    )
  const userName = overrides.user ?? nonEmpty(context?.value.user)
  const user = userName === undefined ? undefined : config.users.get(userName)
  if (userName !== undefined && user === undefined)
    return Result.fail(
      error("MissingUser", context?.file ?? where, `user "${userName}" is not defined`, `user "${userName}"`)
    )
  const invalid = validateCluster(cluster) ?? (user === undefined ? undefined : validateUser(user))
  if (invalid !== undefined) return Result.fail(invalid)
  return Result.succeed({
    contextName: contextName ?? `cluster "${clusterName}"`,
    cluster,
    user,
    namespace: overrides.namespace ?? nonEmpty(context?.value.namespace) ?? "default"
  })
}

const validateCluster = (cluster: Sourced<Cluster>): KubeConfigError | undefined => {
  const entry = `cluster "${cluster.name}"`
  const value = cluster.value
  const server = nonEmpty(value.server)
  if (server === undefined) return error("Invalid", cluster.file, "no server is set", entry)
  try {
    const url = new URL(server)
    if (url.protocol !== "https:" && url.protocol !== "http:")
      return error("Invalid", cluster.file, `server ${server} is not an http(s) URL`, entry)
  } catch {
    return error("Invalid", cluster.file, `server ${JSON.stringify(server)} is not a URL`, entry)
  }
  const hasCa =
    nonEmpty(value["certificate-authority"]) !== undefined ||
    nonEmpty(value["certificate-authority-data"]) !== undefined
  if (value["insecure-skip-tls-verify"] === true && hasCa)
    return error(
      "Invalid",
      cluster.file,
      "insecure-skip-tls-verify together with a certificate authority is not allowed (client-go refuses it too)",
      entry
    )
  return undefined
}

const validateUser = (user: Sourced<User>): KubeConfigError | undefined => {
  const entry = `user "${user.name}"`
  const value = user.value
  const methods: Array<string> = []
  if (nonEmpty(value.token) !== undefined || nonEmpty(value.tokenFile) !== undefined) methods.push("token")
  if (nonEmpty(value.username) !== undefined || nonEmpty(value.password) !== undefined) methods.push("basic auth")
  if (methods.length > 1)
    return error(
      "Invalid",
      user.file,
      `more than one authentication method (${methods.join(", ")}); only one is allowed`,
      entry
    )
  const hasCertificate =
    nonEmpty(value["client-certificate"]) !== undefined || nonEmpty(value["client-certificate-data"]) !== undefined
  const hasKey = nonEmpty(value["client-key"]) !== undefined || nonEmpty(value["client-key-data"]) !== undefined
  if (hasCertificate !== hasKey)
    return error("Invalid", user.file, "a client certificate needs both the certificate and its key", entry)
  const exec = value.exec
  if (exec !== null && exec !== undefined) {
    if (value["auth-provider"] !== null && value["auth-provider"] !== undefined)
      return error("Invalid", user.file, "exec and auth-provider cannot both be set", entry)
    if (exec.command === "") return error("Invalid", user.file, "exec.command must not be empty", entry)
    if (
      exec.apiVersion !== "client.authentication.k8s.io/v1" &&
      exec.apiVersion !== "client.authentication.k8s.io/v1beta1"
    )
      return error(
        "Invalid",
        user.file,
        `exec.apiVersion ${JSON.stringify(exec.apiVersion)} is not supported (use client.authentication.k8s.io/v1 or v1beta1)`,
        entry
      )
    if (
      exec.apiVersion === "client.authentication.k8s.io/v1" &&
      (exec.interactiveMode === null || exec.interactiveMode === undefined)
    )
      return error("Invalid", user.file, "exec.interactiveMode is required for client.authentication.k8s.io/v1", entry)
  } else if (value["auth-provider"] !== null && value["auth-provider"] !== undefined) {
    return error(
      "Unsupported",
      user.file,
      `auth-provider "${value["auth-provider"].name}" was removed from client-go; use an exec plugin instead`,
      entry
    )
  }
  const impersonating = nonEmpty(value.as) !== undefined
  const hasGroups = (value["as-groups"] ?? []).length > 0
  const hasExtra = Object.keys(value["as-user-extra"] ?? {}).length > 0
  if (!impersonating && (nonEmpty(value["as-uid"]) !== undefined || hasGroups || hasExtra))
    return error(
      "Invalid",
      user.file,
      "as-uid, as-groups and as-user-extra require as (the user to impersonate)",
      entry
    )
  return undefined
}
