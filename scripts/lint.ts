/**
 * Runs Biome (lint + format check) over the repository with the rules in
 * `biome.json`, through Biome's WebAssembly build.
 *
 * Why not the Biome CLI: its npm package pulls a native binary per platform
 * as optional dependencies, and the registry mirror this project is built
 * from only carries the Linux ones, so a lockfile made here is never complete
 * and `npm ci` refuses it. The WebAssembly build is one portable package with
 * the same rules and formatter.
 *
 * Usage: `npm run lint` checks; `npm run format` applies safe fixes and formatting.
 */

import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { extname, resolve } from "node:path"
import { Biome } from "@biomejs/js-api/nodejs"
import type { Configuration } from "@biomejs/wasm-nodejs"

const write = process.argv.includes("--write")
const root = resolve(import.meta.dirname, "..")
const checkedExtensions = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", ".jsonc"])

const configuration: Configuration = JSON.parse(readFileSync(resolve(root, "biome.json"), "utf8"))

// Tracked and untracked-but-not-ignored files, as `biome check` with VCS integration sees them.
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
  cwd: root,
  encoding: "utf8"
})
  .split("\0")
  .filter((file) => file !== "" && checkedExtensions.has(extname(file)) && !file.endsWith("package-lock.json"))

const biome = new Biome()
const { projectKey } = biome.openProject(root)
biome.applyConfiguration(projectKey, configuration)

// printDiagnostics renders HTML markup; the terminal wants plain text.
const entities: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&" }
const plainText = (html: string): string =>
  html.replace(/<[^>]+>/g, "").replace(/&(lt|gt|quot|#39|amp);/g, (entity) => entities[entity] ?? entity)

let problems = 0
let changed = 0
for (const file of files) {
  let source: string
  try {
    source = readFileSync(resolve(root, file), "utf8")
  } catch {
    continue // listed by git but deleted in the working tree
  }
  const linted = biome.lintContent(projectKey, source, {
    filePath: file,
    ...(write ? { fixFileMode: "safeFixes" as const } : {})
  })
  const formatted = biome.formatContent(projectKey, linted.content, { filePath: file })
  const diagnostics = [...linted.diagnostics, ...formatted.diagnostics].filter(
    (diagnostic) =>
      diagnostic.severity === "error" || diagnostic.severity === "warning" || diagnostic.severity === "fatal"
  )
  if (diagnostics.length > 0) {
    problems += diagnostics.length
    process.stdout.write(plainText(biome.printDiagnostics(diagnostics, { filePath: file, fileSource: linted.content })))
  }
  if (formatted.content !== source) {
    if (write) {
      writeFileSync(resolve(root, file), formatted.content)
      changed++
    } else {
      problems++
      process.stdout.write(`${file}: not formatted (run npm run format)\n`)
    }
  }
}
biome.shutdown()
process.stdout.write(`Checked ${files.length} files${write ? `, rewrote ${changed}` : ""}; ${problems} problem(s).\n`)
process.exitCode = problems === 0 ? 0 : 1
