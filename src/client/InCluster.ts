/**
 * In-cluster configuration: the API server and credentials a pod gets from
 * Kubernetes (Node only), as client-go's `rest.InClusterConfig` reads them.
 *
 * - Server: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
 *   always https, an IPv6 host in brackets.
 * - Token: `<root>/token`, trimmed, re-read about every minute (projected
 *   tokens rotate), the last good token kept when a re-read fails.
 * - CA: `<root>/ca.crt`.
 * - Namespace: `POD_NAMESPACE`, else the trimmed `<root>/namespace` file,
 *   else `default`.
 *
 * `<root>` is `/var/run/secrets/kubernetes.io/serviceaccount`, overridable
 * for tests.
 *
 * @since 0.1.0
 */

import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import type { ClusterConfiguration } from "./ClusterConfig.js"
import * as Credentials from "./Credentials.js"
import type { Environment } from "./KubeConfigLoader.js"
import { KubeConfigError } from "./KubeError.js"

/** The default service-account mount. @category constants */
export const defaultRoot = "/var/run/secrets/kubernetes.io/serviceaccount"

/** Where to read the in-cluster configuration from (for tests: another environment or mount). @category models */
export interface InClusterOptions {
  /** The environment with the `KUBERNETES_SERVICE_*` variables; defaults to `process.env`. */
  readonly env?: Environment
  /** The service-account mount; defaults to `defaultRoot`. */
  readonly root?: string
}

/**
 * Whether this process runs in a pod: the service environment variables are
 * set and the token file exists.
 *
 * @category detection
 */
export const isInCluster = (options: InClusterOptions = {}): boolean => {
  const env = options.env ?? process.env
  return (
    (env.KUBERNETES_SERVICE_HOST ?? "") !== "" &&
    (env.KUBERNETES_SERVICE_PORT ?? "") !== "" &&
    existsSync(join(options.root ?? defaultRoot, "token"))
  )
}

const read = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      new KubeConfigError({
        reason: "FileUnreadable",
        file: path,
        entry: "in-cluster",
        detail: cause instanceof Error ? cause.message : String(cause)
      })
  })

/**
 * The in-cluster configuration.
 *
 * @category resolving
 */
export const inCluster = (options: InClusterOptions = {}): Effect.Effect<ClusterConfiguration, KubeConfigError> =>
  Effect.gen(function* () {
    const env = options.env ?? process.env
    const root = options.root ?? defaultRoot
    const host = env.KUBERNETES_SERVICE_HOST ?? ""
    const port = env.KUBERNETES_SERVICE_PORT ?? ""
    if (host === "" || port === "")
      return yield* Effect.fail(
        new KubeConfigError({
          reason: "NoConfiguration",
          entry: "in-cluster",
          detail: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set to run in a cluster"
        })
      )
    const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`
    const credentials = yield* Credentials.tokenFile(join(root, "token"))
    const certificateAuthority = yield* read(join(root, "ca.crt"))
    const fromEnv = env.POD_NAMESPACE?.trim()
    const fromFile = existsSync(join(root, "namespace"))
      ? (yield* read(join(root, "namespace")).pipe(Effect.orElseSucceed(() => ""))).trim()
      : ""
    return {
      server,
      namespace: fromEnv !== undefined && fromEnv !== "" ? fromEnv : fromFile !== "" ? fromFile : "default",
      certificateAuthority,
      insecureSkipTlsVerify: false,
      credentials,
      source: "in-cluster" as const,
      description: "in-cluster"
    }
  })
