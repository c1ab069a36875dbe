/**
 * `npm run codegen`: generates `src/api` from a Kubernetes OpenAPI spec.
 *
 *   npm run codegen                         # the shared swagger-v1.35.0.json
 *   npm run codegen -- --openapi <file|url> # an OpenAPI v2 document
 *   npm run codegen -- --v3 <dir|url>       # OpenAPI v3 documents
 *   npm run codegen -- --out <dir>          # somewhere other than src/api
 *   npm run codegen -- --kubeconfig <file> --v3 /openapi/v3
 *                                           # a live cluster, through the project's client
 *
 * Without an input flag the generator reads `$KUBE_OPENAPI` (a v2 file or URL)
 * or looks for `shared/kubernetes-openapi/swagger-v1.35.0.json` in the
 * directories above the repository, then above the checkout it was cloned
 * from (CI runs on a fresh clone of one). The output replaces every file in
 * the output directory that a previous run generated, then is formatted with
 * Biome, so running it twice gives the same bytes.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as Biome from "../scripts/biome.js"
import * as KubeSource from "./KubeSource.js"
import * as Model from "./Model.js"
import * as Render from "./Render.js"
import * as Source from "./Source.js"
import type { Spec } from "./Spec.js"
import { generatedMarker } from "./Text.js"

const root = Path.resolve(import.meta.dirname, "..")
const defaultSpec = "shared/kubernetes-openapi/swagger-v1.35.0.json"

/** A directory and every directory above it. */
const ancestors = (start: string): Array<string> => {
  const directories = [start]
  for (let directory = start; directory !== Path.dirname(directory); directory = Path.dirname(directory)) {
    directories.push(Path.dirname(directory))
  }
  return directories
}

/** The checkout this repository was cloned from, when it is a local path. */
const clonedFrom = (): string | undefined => {
  try {
    const origin = execFileSync("git", ["config", "--get", "remote.origin.url"], { cwd: root, encoding: "utf8" }).trim()
    return Path.isAbsolute(origin) ? origin : undefined
  } catch {
    return undefined
  }
}

const findDefaultSpec = (): string => {
  const fromEnvironment = process.env.KUBE_OPENAPI
  if (fromEnvironment !== undefined && fromEnvironment !== "") return fromEnvironment
  const origin = clonedFrom()
  const candidates = [...ancestors(root), ...(origin === undefined ? [] : ancestors(origin))]
  for (const directory of candidates) {
    const candidate = Path.join(directory, defaultSpec)
    if (existsSync(candidate)) return candidate
  }
  throw new Error(`no --openapi or --v3 given, KUBE_OPENAPI unset, and no ${defaultSpec} found above ${root}`)
}

const load = async (options: {
  readonly openapi: string | undefined
  readonly v3: string | undefined
  readonly kubeconfig: string | undefined
}): Promise<Spec> => {
  if (options.openapi !== undefined && options.v3 !== undefined) throw new Error("give --openapi or --v3, not both")
  if (options.kubeconfig === undefined) {
    if (options.v3 !== undefined) return Source.readV3(options.v3)
    return Source.readV2(options.openapi ?? findDefaultSpec())
  }
  const cluster = KubeSource.fromKubeconfig(options.kubeconfig)
  try {
    if (options.v3 !== undefined) return await Source.readV3(await cluster.resolve(options.v3), cluster.fetch)
    return await Source.readV2(await cluster.resolve(options.openapi ?? "/openapi/v2"), cluster.fetch)
  } finally {
    await cluster.dispose()
  }
}

/** Removes the files a previous run generated (and directories left empty), nothing else. */
const removeGenerated = async (directory: string): Promise<void> => {
  if (!existsSync(directory)) return
  for (const entry of await Fs.readdir(directory, { withFileTypes: true })) {
    const path = Path.join(directory, entry.name)
    if (entry.isDirectory()) {
      await removeGenerated(path)
      if ((await Fs.readdir(path)).length === 0) await Fs.rmdir(path)
    } else if (entry.name.endsWith(".ts")) {
      const text = await Fs.readFile(path, "utf8")
      if (text.startsWith(generatedMarker)) await Fs.rm(path)
    }
  }
}

const main = async (): Promise<void> => {
  const started = performance.now()
  const { values } = parseArgs({
    options: {
      openapi: { type: "string" },
      v3: { type: "string" },
      out: { type: "string" },
      kubeconfig: { type: "string" }
    },
    strict: true
  })
  const out = Path.resolve(values.out ?? Path.join(root, "src/api"))
  const spec = await load({ openapi: values.openapi, v3: values.v3, kubeconfig: values.kubeconfig })
  const api = Model.fromSpec(spec)
  const files = Render.files(api)
  await removeGenerated(out)
  for (const file of files) {
    const path = Path.join(out, Path.relative("src/api", file.path))
    await Fs.mkdir(Path.dirname(path), { recursive: true })
    await Fs.writeFile(path, file.text)
  }
  // Biome formats the output; its report only matters when it finds a problem.
  const formatted = Biome.check({
    root,
    files: files.map((file) => Path.relative(root, Path.join(out, Path.relative("src/api", file.path)))),
    write: true
  })
  if (formatted.problems > 0) throw new Error(`biome found problems in the generated code:\n${formatted.report}`)
  const descriptors = [...api.definitions.values()].filter((definition) => definition.resource !== undefined).length
  process.stdout.write(
    `codegen: ${spec.source}: ${api.definitions.size} definitions, ${descriptors} resource descriptors, ` +
      `${files.length} files in ${Path.relative(root, out) || "."} (${Math.round(performance.now() - started)} ms)\n`
  )
  if (api.skipped.length > 0)
    process.stdout.write(
      `codegen: left out ${api.skipped.length} definitions outside io.k8s (custom resources): ${api.skipped.join(", ")}\n`
    )
}

main().catch((error: unknown) => {
  process.stderr.write(`codegen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
