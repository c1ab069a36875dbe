/**
 * Credentials for the `ClusterConfig`: how requests authenticate, as
 * client-go does it. Every secret is `Redacted`; time comes from Effect's
 * `Clock`, so tests drive expiry with `TestClock`.
 *
 * - `token`: a fixed bearer token.
 * - `tokenFile`: a bearer token read from a file and re-read when it is
 *   older than the interval (client-go: about a minute), so a rotated
 *   service-account or projected token is picked up; on a failed re-read the
 *   last good token is kept.
 * - `basic`: a username and password.
 * - `clientCertificate`: a TLS client identity.
 * - `exec`: an exec credential plugin (`client.authentication.k8s.io/v1` and
 *   `v1beta1`): run on first use, its token or certificate cached until
 *   shortly before `expirationTimestamp`, one run shared by every request
 *   waiting for it, and run again once after a 401.
 *
 * @since 0.1.0
 */

import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { Clock, Duration, Effect, Option, Redacted, Result, Schema, Semaphore } from "effect"
import { type ClientIdentity, type Credentials, noCredentials } from "./ClusterConfig.js"
import type { ExecConfig } from "./KubeConfig.js"
import { KubeConfigError } from "./KubeError.js"

export type { Credentials } from "./ClusterConfig.js"
export { noCredentials } from "./ClusterConfig.js"

/**
 * A fixed bearer token.
 *
 * @category constructors
 */
export const token = (value: Redacted.Redacted<string>): Credentials => ({
  authorization: Effect.succeed(Option.some(Redacted.make(`Bearer ${Redacted.value(value)}`))),
  clientIdentity: Effect.succeedNone,
  refreshAfterUnauthorized: () => Effect.succeed(false)
})

/**
 * HTTP basic authentication.
 *
 * @category constructors
 */
export const basic = (username: string, password: Redacted.Redacted<string>): Credentials => {
  const encoded = Buffer.from(`${username}:${Redacted.value(password)}`, "utf8").toString("base64")
  return {
    authorization: Effect.succeed(Option.some(Redacted.make(`Basic ${encoded}`))),
    clientIdentity: Effect.succeedNone,
    refreshAfterUnauthorized: () => Effect.succeed(false)
  }
}

/**
 * Adds a fixed TLS client identity to other credentials.
 *
 * @category constructors
 */
export const withClientCertificate = (credentials: Credentials, identity: ClientIdentity): Credentials => ({
  ...credentials,
  clientIdentity: Effect.succeed(Option.some(identity))
})

/** A TLS client identity alone. @category constructors */
export const clientCertificate = (identity: ClientIdentity): Credentials =>
  withClientCertificate(noCredentials, identity)

const readToken = (path: string): Effect.Effect<string, KubeConfigError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (cause) =>
      new KubeConfigError({
        reason: "TokenUnreadable",
        file: path,
        detail: `cannot read the token file: ${cause instanceof Error ? cause.message : String(cause)}`
      })
  }).pipe(
    Effect.flatMap((text) => {
      const trimmed = text.trim()
      return trimmed === ""
        ? Effect.fail(new KubeConfigError({ reason: "TokenUnreadable", file: path, detail: "the token file is empty" }))
        : Effect.succeed(trimmed)
    })
  )

/**
 * A bearer token read from a file, re-read when older than `interval`
 * (default 1 minute). The first read happens now and must succeed; later
 * failed reads keep the last good token. A 401 forces a re-read.
 *
 * @category constructors
 */
export const tokenFile = (
  path: string,
  options: { readonly interval?: Duration.Input; readonly initial?: Redacted.Redacted<string> } = {}
): Effect.Effect<Credentials, KubeConfigError> =>
  Effect.gen(function* () {
    const interval = Duration.toMillis(options.interval ?? Duration.minutes(1))
    let current = options.initial === undefined ? yield* readToken(path) : Redacted.value(options.initial)
    let readAt = yield* Clock.currentTimeMillis
    const lock = yield* Semaphore.make(1)
    const reread = Effect.gen(function* () {
      const fresh = yield* Effect.result(readToken(path))
      readAt = yield* Clock.currentTimeMillis
      if (Result.isSuccess(fresh)) {
        const changed = fresh.success !== current
        current = fresh.success
        return changed
      }
      return false
    })
    const authorization = Semaphore.withPermits(
      lock,
      1
    )(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (now - readAt >= interval) yield* reread
        return Option.some(Redacted.make(`Bearer ${current}`))
      })
    )
    return {
      authorization,
      clientIdentity: Effect.succeedNone,
      refreshAfterUnauthorized: (rejected) =>
        Semaphore.withPermits(
          lock,
          1
        )(
          Effect.map(
            reread,
            // Newer than what was rejected, whether this re-read or an earlier one changed it.
            (changed) =>
              changed ||
              Option.match(rejected, {
                onNone: () => true,
                onSome: (header) => Redacted.value(header) !== `Bearer ${current}`
              })
          )
        )
    }
  })

// ---------------------------------------------------------------------------
// Exec credential plugins
// ---------------------------------------------------------------------------

/**
 * What a plugin may learn about the cluster (`provideClusterInfo: true`),
 * sent as `spec.cluster` of `KUBERNETES_EXEC_INFO`.
 *
 * @category models
 */
export interface ExecClusterInfo {
  readonly server: string
  readonly "tls-server-name"?: string
  readonly "insecure-skip-tls-verify"?: boolean
  readonly "certificate-authority-data"?: string
  readonly "proxy-url"?: string
  readonly "disable-compression"?: boolean
  readonly config?: unknown
}

/**
 * Where and how to run a plugin.
 *
 * @category models
 */
export interface ExecOptions {
  /** The plugin's configuration from the kubeconfig, with `command` already resolved. */
  readonly config: ExecConfig
  /** Cluster information, sent when the plugin asks for it. */
  readonly cluster?: ExecClusterInfo
  /** The name of the user entry, for messages. */
  readonly user: string
  /** The environment the plugin inherits; defaults to this process's. */
  readonly env?: { readonly [name: string]: string | undefined }
  /** Whether this process may interact with a user on a terminal; defaults to whether stdin is a TTY. */
  readonly interactive?: boolean
  /** How long before `expirationTimestamp` the credential is renewed; default 30 s. */
  readonly renewBefore?: Duration.Input
}

const ExecCredentialOutput = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.Literal("ExecCredential"),
  status: Schema.optionalKey(
    Schema.NullOr(
      Schema.Struct({
        token: Schema.optionalKey(Schema.NullOr(Schema.String)),
        clientCertificateData: Schema.optionalKey(Schema.NullOr(Schema.String)),
        clientKeyData: Schema.optionalKey(Schema.NullOr(Schema.String)),
        expirationTimestamp: Schema.optionalKey(Schema.NullOr(Schema.String))
      })
    )
  )
})

interface ExecResult {
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly identity: Option.Option<ClientIdentity>
  /** Epoch milliseconds, if the plugin said when the credential expires. */
  readonly expiresAt: number | undefined
}

const excerpt = (text: string, secrets: ReadonlyArray<string>): string => {
  let cleaned = text.trim()
  for (const secret of secrets) if (secret.length >= 8) cleaned = cleaned.split(secret).join("<redacted>")
  return cleaned.length > 300 ? `${cleaned.slice(0, 300)}…` : cleaned
}

interface ProcessOutcome {
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

const runProcess = (
  command: string,
  args: ReadonlyArray<string>,
  env: { readonly [name: string]: string | undefined },
  interactive: boolean
): Effect.Effect<ProcessOutcome, Error> =>
  Effect.callback<ProcessOutcome, Error>((resume) => {
    const child = spawn(command, [...args], {
      env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      stdio: [interactive ? "inherit" : "ignore", "pipe", "pipe"]
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.once("error", (error) => resume(Effect.fail(error)))
    child.once("close", (code, signal) =>
      resume(
        Effect.succeed({
          code,
          signal,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8")
        })
      )
    )
    return Effect.sync(() => {
      child.kill("SIGKILL")
    })
  })

const runPlugin = (options: ExecOptions): Effect.Effect<ExecResult, KubeConfigError> =>
  Effect.gen(function* () {
    const { config } = options
    const entry = `user "${options.user}" exec plugin ${config.command}`
    const failure = (detail: string) => new KubeConfigError({ reason: "ExecPluginFailed", entry, detail })
    const mode = config.interactiveMode ?? "IfAvailable"
    const terminal = options.interactive ?? process.stdin.isTTY === true
    if (mode === "Always" && !terminal)
      return yield* Effect.fail(
        failure("the plugin needs an interactive terminal (interactiveMode: Always) and none is attached")
      )
    const interactive = mode !== "Never" && terminal
    const execInfo = {
      apiVersion: config.apiVersion,
      kind: "ExecCredential",
      spec: {
        interactive,
        ...(config.provideClusterInfo === true && options.cluster !== undefined ? { cluster: options.cluster } : {})
      }
    }
    const env = {
      ...(options.env ?? process.env),
      ...Object.fromEntries((config.env ?? []).map(({ name, value }) => [name, value])),
      KUBERNETES_EXEC_INFO: JSON.stringify(execInfo)
    }
    const outcome = yield* runProcess(config.command, config.args ?? [], env, interactive).pipe(
      Effect.mapError((error) =>
        failure(`could not start the plugin: ${error.message}${config.installHint ? `\n${config.installHint}` : ""}`)
      )
    )
    if (outcome.code !== 0) {
      const status =
        outcome.code === null ? `was killed by ${outcome.signal ?? "a signal"}` : `exited with code ${outcome.code}`
      const stderr = excerpt(outcome.stderr, [])
      return yield* Effect.fail(failure(`the plugin ${status}${stderr === "" ? "" : `: ${stderr}`}`))
    }
    let json: unknown
    try {
      json = JSON.parse(outcome.stdout)
    } catch {
      return yield* Effect.fail(failure("the plugin's output is not JSON"))
    }
    const decoded = Schema.decodeUnknownResult(ExecCredentialOutput)(json)
    if (Result.isFailure(decoded)) return yield* Effect.fail(failure("the plugin's output is not an ExecCredential"))
    const credential = decoded.success
    if (credential.apiVersion !== config.apiVersion)
      return yield* Effect.fail(
        failure(`the plugin answered with apiVersion ${credential.apiVersion}, expected ${config.apiVersion}`)
      )
    const status = credential.status ?? {}
    const tokenValue = status.token ?? undefined
    const certificate = status.clientCertificateData ?? undefined
    const key = status.clientKeyData ?? undefined
    if ((certificate === undefined) !== (key === undefined))
      return yield* Effect.fail(
        failure("the plugin returned a client certificate without its key, or a key without its certificate")
      )
    if (tokenValue === undefined && certificate === undefined)
      return yield* Effect.fail(failure("the plugin returned neither a token nor a client certificate"))
    let expiresAt: number | undefined
    if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
      expiresAt = Date.parse(status.expirationTimestamp)
      if (Number.isNaN(expiresAt))
        return yield* Effect.fail(
          failure(`expirationTimestamp ${JSON.stringify(status.expirationTimestamp)} is not a time`)
        )
    }
    return {
      token: tokenValue === undefined || tokenValue === "" ? Option.none() : Option.some(Redacted.make(tokenValue)),
      identity:
        certificate === undefined || key === undefined
          ? Option.none()
          : Option.some({ certificate, key: Redacted.make(key) }),
      expiresAt
    }
  })

/**
 * Credentials from an exec plugin. The plugin runs on first use; its result
 * is cached until `renewBefore` ahead of its expiry (forever without one),
 * concurrent requests share one run, and after a 401 the next request runs it
 * again.
 *
 * @category constructors
 */
export const exec = (options: ExecOptions): Effect.Effect<Credentials> =>
  Effect.gen(function* () {
    const lock = yield* Semaphore.make(1)
    const renewBefore = Duration.toMillis(options.renewBefore ?? Duration.seconds(30))
    let cached: ExecResult | undefined
    const current = Semaphore.withPermits(
      lock,
      1
    )(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (cached !== undefined && (cached.expiresAt === undefined || now < cached.expiresAt - renewBefore))
          return cached
        const fresh = yield* runPlugin(options)
        cached = fresh
        return fresh
      })
    )
    return {
      authorization: Effect.map(current, (result) =>
        Option.map(result.token, (value) => Redacted.make(`Bearer ${Redacted.value(value)}`))
      ),
      clientIdentity: Effect.map(current, (result) => result.identity),
      // Once per credential generation: if a concurrent request already caused a
      // re-run, the rejected token is no longer the cached one and nothing is dropped.
      refreshAfterUnauthorized: (rejected) =>
        Semaphore.withPermits(
          lock,
          1
        )(
          Effect.sync(() => {
            const rejectedHeader = Option.getOrUndefined(Option.map(rejected, Redacted.value))
            const cachedHeader =
              cached === undefined
                ? undefined
                : Option.getOrUndefined(Option.map(cached.token, (value) => `Bearer ${Redacted.value(value)}`))
            if (rejectedHeader === undefined || rejectedHeader === cachedHeader) cached = undefined
            return true
          })
        )
    }
  })
