/**
 * Runs the serverless examples in their real runtimes: bundles an example
 * with esbuild the way it would be deployed, finds the workerd, Deno and Bun
 * binaries that the exact dev dependencies install (failing loudly when one
 * is missing), starts a runtime as a child process until it says which port
 * it listens on, and stops it when the scope closes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { gzipSync } from "node:zlib"
import { Effect } from "effect"
import * as esbuild from "esbuild"

const require = createRequire(import.meta.url)
const root = join(dirname(new URL(import.meta.url).pathname), "..", "..")

/** Where an npm package's file is; fails with the install command when the package is missing. */
const binary = (packageName: string, path: string): string => {
  let directory: string
  try {
    directory = dirname(require.resolve(`${packageName}/package.json`))
  } catch {
    throw new Error(`${packageName} is not installed: run npm ci (it is an exact devDependency, linux x64 only)`)
  }
  const file = join(directory, path)
  if (!existsSync(file)) throw new Error(`${packageName} has no ${path}: reinstall it with npm ci`)
  return file
}

/** The runtime binaries, resolved when a test asks for them. */
export const binaries = {
  workerd: () => binary("@cloudflare/workerd-linux-64", "bin/workerd"),
  deno: () => binary("@deno/linux-x64-glibc", "deno"),
  bun: () => binary("@oven/bun-linux-x64", "bin/bun"),
  node: () => process.execPath
}

/** A bundled example: its file and its size as deployed. */
export interface Bundle {
  readonly directory: string
  readonly file: string
  readonly bytes: number
  readonly gzipBytes: number
}

/** How an example is bundled for its platform. */
export type Target = "workerd" | "deno-bun" | "lambda"

const targetOptions: Record<Target, esbuild.BuildOptions> = {
  // What wrangler does for a Worker: browser-like, the workerd/worker conditions first.
  workerd: {
    platform: "neutral",
    conditions: ["source", "workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"]
  },
  "deno-bun": { platform: "neutral", conditions: ["source", "deno", "bun"], mainFields: ["module", "main"] },
  // An ES module for the Lambda Node runtime; bundled CommonJS packages (undici) need `require`.
  lambda: {
    platform: "node",
    target: "node22",
    conditions: ["source"],
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' }
  }
}

/** Bundles `examples/serverless/<example>` minified into a temporary directory, removed with the scope. */
export const bundle = (example: string, target: Target, outputName: string) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<Bundle> => {
      const directory = mkdtempSync(join(tmpdir(), "effect-kube-serverless-"))
      const file = join(directory, outputName)
      await esbuild.build({
        ...targetOptions[target],
        entryPoints: [join(root, "examples", "serverless", example)],
        absWorkingDir: root,
        bundle: true,
        format: "esm",
        minify: true,
        outfile: file,
        logLevel: "error"
      })
      const contents = readFileSync(file)
      return { directory, file, bytes: contents.length, gzipBytes: gzipSync(contents).length }
    }),
    (bundled) => Effect.sync(() => rmSync(bundled.directory, { recursive: true, force: true }))
  )

/** A runtime process serving an example on a loopback port. */
export interface Served {
  readonly url: string
  /** Milliseconds from spawning the process until it listened. */
  readonly startupMillis: number
  /** What the process printed so far, for failure messages. */
  readonly output: () => string
}

/**
 * Starts `command` and waits until `findPort` reads the listening port from a
 * line it prints (on stdout, stderr or, for workerd's `--control-fd=3`, fd 3).
 * Fails with everything the process printed when it exits first or takes
 * longer than 60 s; the process is killed when the scope closes.
 */
export const serve = (options: {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  readonly findPort: (line: string) => number | undefined
}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const started = performance.now()
      const child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
        stdio: ["ignore", "pipe", "pipe", "pipe"]
      })
      return { child, started }
    }),
    ({ child }) => stop(child)
  ).pipe(
    Effect.flatMap(({ child, started }) =>
      Effect.callback<Served, Error>((resume) => {
        let printed = ""
        let done = false
        const finish = (result: Effect.Effect<Served, Error>) => {
          if (done) return
          done = true
          clearTimeout(timer)
          resume(result)
        }
        const onData = (chunk: Buffer) => {
          const text = chunk.toString("utf8")
          printed += text
          for (const line of text.split("\n")) {
            const port = options.findPort(line)
            if (port !== undefined)
              finish(
                Effect.succeed({
                  url: `http://127.0.0.1:${port}`,
                  startupMillis: performance.now() - started,
                  output: () => printed
                })
              )
          }
        }
        for (const stream of child.stdio.slice(1)) stream?.on("data", onData)
        child.on("error", (error) =>
          finish(Effect.fail(new Error(`${options.command} did not start: ${error.message}`)))
        )
        child.on("exit", (code, signal) =>
          finish(Effect.fail(new Error(`${options.command} exited (${code ?? signal}) before listening:\n${printed}`)))
        )
        const timer = setTimeout(
          () => finish(Effect.fail(new Error(`${options.command} did not listen within 60 s:\n${printed}`))),
          60_000
        )
      })
    )
  )

/** Ends the process: SIGTERM, then SIGKILL if it is still there after 5 s. */
const stop = (child: ChildProcess) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const stubborn = setTimeout(() => child.kill("SIGKILL"), 5_000)
        child.on("exit", () => {
          clearTimeout(stubborn)
          resolve()
        })
        child.kill("SIGTERM")
      })
  )

/** One invocation over HTTP: the status, the JSON body and how long it took. */
export interface Invocation {
  readonly status: number
  readonly body: unknown
  readonly millis: number
}

/** GETs `url` with the query and reads the JSON answer. */
export const invoke = (url: string, query: Readonly<Record<string, string>> = {}) =>
  Effect.promise(async (): Promise<Invocation> => {
    const started = performance.now()
    const response = await fetch(`${url}/?${new URLSearchParams(query)}`)
    const body: unknown = await response.json()
    return { status: response.status, body, millis: performance.now() - started }
  })
