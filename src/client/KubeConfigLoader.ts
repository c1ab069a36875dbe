/**
 * Loading kubeconfig files from disk and resolving the selected context into
 * a `ClusterConfiguration`, the way kubectl does (Node only).
 *
 * - Files: an explicit path is used alone and must exist; otherwise the
 *   `KUBECONFIG` list (split on the OS path-list separator, empty entries and
 *   duplicates dropped, missing files skipped), otherwise `~/.kube/config`.
 * - Paths inside an entry (certificate-authority, client-certificate,
 *   client-key, tokenFile, and exec.command when it contains a path
 *   separator) resolve against the directory of the file that defined the
 *   entry; `~` is not expanded. `*-data` fields win over file paths.
 * - The proxy is the cluster's `proxy-url`, else `HTTPS_PROXY` (or
 *   `HTTP_PROXY` for an http server) unless `NO_PROXY` matches the host.
 * - TLS settings and credentials are used only for https servers.
 *
 * @since 0.1.0
 */

import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { delimiter, dirname, isAbsolute, join, resolve, sep } from "node:path"
import { Effect, Redacted } from "effect"
import type { ClusterConfiguration, Credentials, Impersonation } from "./ClusterConfig.js"
import { noCredentials } from "./ClusterConfig.js"
import * as Creds from "./Credentials.js"
import * as KubeConfig from "./KubeConfig.js"
import { KubeConfigError } from "./KubeError.js"

/** An environment: names to values (`process.env` by default). */
export type Environment = { readonly [name: string]: string | undefined }

/**
 * Where to look and what to select.
 *
 * @category models
 */
export interface LoadOptions extends KubeConfig.Overrides {
  /** A kubeconfig path used alone (kubectl's `--kubeconfig`); it must exist. */
  readonly path?: string
  readonly env?: Environment
  /** The home directory for `~/.kube/config`; defaults to the OS's. */
  readonly home?: string
}

/**
 * The files client-go would read, in order, and whether they came from an
 * explicit choice (which must then exist).
 *
 * @category loading
 */
export const kubeconfigPaths = (
  options: Pick<LoadOptions, "path" | "env" | "home"> = {}
): { readonly paths: ReadonlyArray<string>; readonly explicit: boolean } => {
  if (options.path !== undefined) return { paths: [options.path], explicit: true }
  const list = (options.env ?? process.env).KUBECONFIG
  if (list !== undefined && list !== "") {
    const paths = [...new Set(list.split(delimiter).filter((entry) => entry !== ""))]
    return { paths, explicit: false }
  }
  return { paths: [join(options.home ?? homedir(), ".kube", "config")], explicit: false }
}

const readText = (path: string, entry?: string): Effect.Effect<string, KubeConfigError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      new KubeConfigError({
        reason: "FileUnreadable",
        file: path,
        ...(entry === undefined ? {} : { entry }),
        detail: cause instanceof Error ? cause.message : String(cause)
      })
  })

/**
 * Reads and merges the kubeconfig files. Missing files in a list are
 * skipped; if none exists the result is `NoConfiguration`.
 *
 * @category loading
 */
export const load = (options: LoadOptions = {}): Effect.Effect<KubeConfig.KubeConfig, KubeConfigError> =>
  Effect.gen(function* () {
    const { paths, explicit } = kubeconfigPaths(options)
    const parsed: Array<KubeConfig.ParsedFile> = []
    for (const path of paths) {
      if (!explicit && !existsSync(path)) continue
      const text = yield* readText(path)
      parsed.push(yield* Effect.fromResult(KubeConfig.parse(text, resolve(path))))
    }
    if (parsed.length === 0)
      return yield* Effect.fail(
        new KubeConfigError({
          reason: "NoConfiguration",
          detail: `no kubeconfig found (looked for ${paths.join(", ")})`
        })
      )
    return KubeConfig.merge(parsed)
  })

/** Resolves a path from an entry against the directory of its file. */
const relativeTo = (file: string | undefined, path: string): string =>
  isAbsolute(path) || file === undefined ? path : join(dirname(file), path)

const nonEmpty = (value: string | null | undefined): string | undefined =>
  value === null || value === undefined || value === "" ? undefined : value

const base64 = (value: string, file: string | undefined, entry: string, field: string) => {
  const decoded = Buffer.from(value, "base64")
  return decoded.length === 0
    ? Effect.fail(
        new KubeConfigError({
          reason: "Invalid",
          ...(file === undefined ? {} : { file }),
          entry,
          detail: `${field} is not base64`
        })
      )
    : Effect.succeed(decoded.toString("utf8"))
}

/** The `*-data` field if set, else the file it names, else nothing. */
const dataOrFile = (
  data: string | null | undefined,
  path: string | null | undefined,
  source: KubeConfig.Sourced<unknown>,
  entry: string,
  field: string
): Effect.Effect<string | undefined, KubeConfigError> => {
  const inline = nonEmpty(data)
  if (inline !== undefined) return base64(inline, source.file, entry, `${field}-data`)
  const file = nonEmpty(path)
  return file === undefined ? Effect.succeed(undefined) : readText(relativeTo(source.file, file), entry)
}

/** Whether `NO_PROXY` exempts a host (exact names, `.suffix` / `suffix` domains, `*`, IPs with ports ignored). */
const noProxyMatches = (host: string, noProxy: string | undefined): boolean => {
  if (noProxy === undefined || noProxy === "") return false
  return noProxy
    .split(",")
    .map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, ""))
    .some(
      (entry) =>
        entry === "*" || entry === host || (entry !== "" && host.endsWith(entry.startsWith(".") ? entry : `.${entry}`))
    )
}

/** The proxy for a server: the cluster's proxy-url, else the environment's, unless NO_PROXY exempts it. */
export const proxyFor = (server: URL, proxyUrl: string | undefined, env: Environment): string | undefined => {
  if (proxyUrl !== undefined) return proxyUrl
  const fromEnv =
    server.protocol === "https:" ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy)
  if (fromEnv === undefined || fromEnv === "") return undefined
  return noProxyMatches(server.hostname.replace(/^\[|\]$/g, "").toLowerCase(), env.NO_PROXY ?? env.no_proxy)
    ? undefined
    : fromEnv
}

const impersonationOf = (user: KubeConfig.User): Impersonation | undefined => {
  const as = nonEmpty(user.as)
  if (as === undefined) return undefined
  const uid = nonEmpty(user["as-uid"])
  return {
    user: as,
    groups: user["as-groups"] ?? [],
    extra: user["as-user-extra"] ?? {},
    ...(uid === undefined ? {} : { uid })
  }
}

const credentialsOf = (
  selection: KubeConfig.Selection,
  cluster: { readonly server: string; readonly ca: string | undefined },
  env: Environment
): Effect.Effect<Credentials, KubeConfigError> =>
  Effect.gen(function* () {
    const source = selection.user
    if (source === undefined) return noCredentials
    const user = source.value
    const entry = `user "${source.name}"`
    const certificate = yield* dataOrFile(
      user["client-certificate-data"],
      user["client-certificate"],
      source,
      entry,
      "client-certificate"
    )
    const key = yield* dataOrFile(user["client-key-data"], user["client-key"], source, entry, "client-key")
    let credentials: Credentials = noCredentials
    const token = nonEmpty(user.token)
    const tokenFile = nonEmpty(user.tokenFile)
    if (tokenFile !== undefined) {
      credentials = yield* Creds.tokenFile(relativeTo(source.file, tokenFile), {
        ...(token === undefined ? {} : { initial: Redacted.make(token) })
      })
    } else if (token !== undefined) {
      credentials = Creds.token(Redacted.make(token))
    } else if (nonEmpty(user.username) !== undefined || nonEmpty(user.password) !== undefined) {
      credentials = Creds.basic(user.username ?? "", Redacted.make(user.password ?? ""))
    } else if (user.exec !== null && user.exec !== undefined) {
      const exec = user.exec
      const command =
        exec.command.includes(sep) || exec.command.includes("/") ? relativeTo(source.file, exec.command) : exec.command
      const clusterEntry = selection.cluster.value
      const execExtension = (clusterEntry.extensions ?? []).find(
        (extension) => extension.name === "client.authentication.k8s.io/exec"
      )
      credentials = yield* Creds.exec({
        config: { ...exec, command },
        user: source.name,
        env,
        cluster: {
          server: cluster.server,
          ...(nonEmpty(clusterEntry["tls-server-name"]) === undefined
            ? {}
            : { "tls-server-name": clusterEntry["tls-server-name"] ?? "" }),
          ...(clusterEntry["insecure-skip-tls-verify"] === true ? { "insecure-skip-tls-verify": true } : {}),
          ...(cluster.ca === undefined
            ? {}
            : { "certificate-authority-data": Buffer.from(cluster.ca, "utf8").toString("base64") }),
          ...(nonEmpty(clusterEntry["proxy-url"]) === undefined
            ? {}
            : { "proxy-url": clusterEntry["proxy-url"] ?? "" }),
          ...(clusterEntry["disable-compression"] === true ? { "disable-compression": true } : {}),
          ...(execExtension === undefined ? {} : { config: execExtension.extension })
        }
      })
    }
    if (certificate !== undefined && key !== undefined) {
      credentials = Creds.withClientCertificate(credentials, { certificate, key: Redacted.make(key) })
    }
    return credentials
  })

/**
 * Resolves a selection into a cluster configuration: reads the CA and
 * client certificate files, sets up the credentials (including an exec
 * plugin, run on first use), impersonation and the proxy.
 *
 * @category resolving
 */
export const resolveSelection = (
  selection: KubeConfig.Selection,
  env: Environment = process.env
): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.gen(function* () {
    const cluster = selection.cluster.value
    const entry = `cluster "${selection.cluster.name}"`
    const server = (cluster.server ?? "").replace(/\/+$/, "")
    const url = new URL(server)
    const https = url.protocol === "https:"
    const ca = https
      ? yield* dataOrFile(
          cluster["certificate-authority-data"],
          cluster["certificate-authority"],
          selection.cluster,
          entry,
          "certificate-authority"
        )
      : undefined
    // client-go reads user credentials only for https servers.
    const credentials = https ? yield* credentialsOf(selection, { server, ca }, env) : noCredentials
    const proxy = proxyFor(url, nonEmpty(cluster["proxy-url"]), env)
    const impersonation = selection.user === undefined ? undefined : impersonationOf(selection.user.value)
    const serverName = nonEmpty(cluster["tls-server-name"])
    return {
      server,
      namespace: selection.namespace,
      insecureSkipTlsVerify: https && cluster["insecure-skip-tls-verify"] === true,
      ...(ca === undefined ? {} : { certificateAuthority: ca }),
      ...(https && serverName !== undefined ? { tlsServerName: serverName } : {}),
      ...(proxy === undefined ? {} : { proxyUrl: proxy }),
      ...(impersonation === undefined ? {} : { impersonation }),
      credentials,
      source: "kubeconfig" as const,
      description: `context ${selection.contextName}`
    }
  })

/**
 * Loads the kubeconfig files, selects the context (with overrides) and
 * resolves it.
 *
 * @category resolving
 */
export const fromKubeconfig = (options: LoadOptions = {}): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.gen(function* () {
    const config = yield* load(options)
    const selection = yield* Effect.fromResult(KubeConfig.select(config, options))
    return yield* resolveSelection(selection, options.env ?? process.env)
  })

/**
 * Resolves a kubeconfig given as text (no files are read for it; paths in it
 * resolve against the working directory).
 *
 * @category resolving
 */
export const fromKubeconfigText = (
  text: string,
  options: KubeConfig.Overrides & { readonly env?: Environment } = {}
): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.gen(function* () {
    const parsed = yield* Effect.fromResult(KubeConfig.parse(text))
    const selection = yield* Effect.fromResult(KubeConfig.select(KubeConfig.merge([parsed]), options))
    return yield* resolveSelection(selection, options.env ?? process.env)
  })

/** Whether any kubeconfig file client-go would read exists. @category loading */
export const exists = (options: Pick<LoadOptions, "path" | "env" | "home"> = {}): boolean =>
  kubeconfigPaths(options).paths.some((path) => existsSync(path))
