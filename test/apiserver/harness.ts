/**
 * Starts the real kube-apiserver harness (`kube-harness run`) for tests:
 * builds the binary when needed (`build.sh` caches it by the hash of its
 * sources), starts it in a fresh working directory, waits for its
 * `ready.json`, and stops it with SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

export interface RealApiServer {
  readonly server: string
  readonly version: string
  readonly dir: string
  readonly kubeconfigs: { readonly admin: string; readonly restricted: string; readonly cert: string }
  readonly tokens: { readonly admin: string; readonly restricted: string }
  readonly caFile: string
  readonly controllerManager: boolean
  readonly startupMillis: number
  readonly stop: () => Promise<void>
}

const directory = new URL(".", import.meta.url).pathname

/** Builds (or reuses) the harness binary and returns its path. Fails loudly without Go. */
export const buildHarness = (): string => {
  const output = execFileSync(join(directory, "build.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
  const binary = output
    .trim()
    .split("\n")
    .at(-1)
    ?.replace(/ \(cached\)$/, "")
  if (binary === undefined || !existsSync(join(directory, binary)))
    throw new Error(`build.sh did not produce a binary: ${output}`)
  return join(directory, binary)
}

const text = (value: unknown, field: string): string => {
  if (typeof value !== "string") throw new Error(`ready.json: ${field} is not a string`)
  return value
}

const field = (object: unknown, key: string): unknown =>
  typeof object === "object" && object !== null ? Reflect.get(object, key) : undefined

const parseReady = (json: unknown) => {
  const kubeconfigs = field(json, "kubeconfigs")
  const tokens = field(json, "tokens")
  return {
    server: text(field(json, "server"), "server"),
    version: text(field(json, "version"), "version"),
    kubeconfigs: {
      admin: text(field(kubeconfigs, "admin"), "kubeconfigs.admin"),
      restricted: text(field(kubeconfigs, "restricted"), "kubeconfigs.restricted"),
      cert: text(field(kubeconfigs, "cert"), "kubeconfigs.cert")
    },
    tokens: {
      admin: text(field(tokens, "admin"), "tokens.admin"),
      restricted: text(field(tokens, "restricted"), "tokens.restricted")
    },
    caFile: text(field(json, "caFile"), "caFile"),
    controllerManager: field(json, "controllerManager") === true,
    startupMillis: Number(field(json, "startupMillis"))
  }
}

/** Reads the `ready.json` of a harness started in `dir` (by hand, or by another process). */
export const readReady = (dir: string): Omit<RealApiServer, "dir" | "stop"> =>
  parseReady(JSON.parse(readFileSync(join(dir, "ready.json"), "utf8")))

const stopProcess = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGTERM")
  const timeout = sleep(30_000).then(() => child.kill("SIGKILL"))
  await Promise.race([exited, timeout])
  await exited
}

/** Builds if needed, starts the harness and waits (up to `timeoutMillis`) until it is ready. */
export const startRealApiServer = async (options: { readonly timeoutMillis?: number } = {}): Promise<RealApiServer> => {
  const binary = buildHarness()
  const dir = mkdtempSync(join(tmpdir(), "kube-harness-"))
  const child = spawn(binary, ["run", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8")
  })
  const deadline = Date.now() + (options.timeoutMillis ?? 120_000)
  const readyFile = join(dir, "ready.json")
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null) throw new Error(`kube-harness exited with ${child.exitCode}:\n${output}`)
    if (Date.now() > deadline) {
      await stopProcess(child)
      throw new Error(`kube-harness was not ready in time:\n${output}`)
    }
    await sleep(100)
  }
  const ready = readReady(dir)
  return {
    ...ready,
    dir,
    stop: async () => {
      await stopProcess(child)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
