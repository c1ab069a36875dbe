/**
 * Biome (lint + format) through its WebAssembly build, with the rules in
 * `biome.json`; shared by `npm run lint`/`format` and by the code generator,
 * which formats what it writes.
 *
 * Why not the Biome CLI: its npm package pulls a native binary per platform
 * as optional dependencies, and the registry mirror this project is built
 * from only carries the Linux ones, so a lockfile made here is never complete
 * and `npm ci` refuses it. The WebAssembly build is one portable package with
 * the same rules and formatter.
 */

import { readFileSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { Biome } from "@biomejs/js-api/nodejs"
import type { Configuration } from "@biomejs/wasm-nodejs"

/** What a check found: diagnostics as plain text, and how many files were rewritten. */
export interface CheckResult {
  readonly problems: number
  readonly rewritten: number
  readonly report: string
}

// printDiagnostics renders HTML markup; terminals and error messages want plain text.
const entities: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&" }
const plainText = (html: string): string =>
  html.replace(/<[^>]+>/g, "").replace(/&(lt|gt|quot|#39|amp);/g, (entity) => entities[entity] ?? entity)

/**
 * Lints and format-checks `files` (paths relative to `root`). With `write`,
 * safe fixes and formatting are applied in place; without, an unformatted
 * file counts as a problem.
 */
export const check = (options: {
  readonly root: string
  readonly files: ReadonlyArray<string>
  readonly write: boolean
}): CheckResult => {
  const configuration: Configuration = JSON.parse(readFileSync(resolve(options.root, "biome.json"), "utf8"))
  const biome = new Biome()
  const { projectKey } = biome.openProject(options.root)
  biome.applyConfiguration(projectKey, configuration)
  let problems = 0
  let rewritten = 0
  let report = ""
  try {
    for (const file of options.files) {
      const path = resolve(options.root, file)
      const source = readFileSync(path, "utf8")
      const linted = biome.lintContent(projectKey, source, {
        filePath: file,
        ...(options.write ? { fixFileMode: "safeFixes" as const } : {})
      })
      const formatted = biome.formatContent(projectKey, linted.content, { filePath: file })
      const diagnostics = [...linted.diagnostics, ...formatted.diagnostics].filter(
        (diagnostic) =>
          diagnostic.severity === "error" || diagnostic.severity === "warning" || diagnostic.severity === "fatal"
      )
      if (diagnostics.length > 0) {
        problems += diagnostics.length
        report += plainText(biome.printDiagnostics(diagnostics, { filePath: file, fileSource: linted.content }))
      }
      if (formatted.content === source) continue
      if (options.write) {
        writeFileSync(path, formatted.content)
        rewritten++
      } else {
        problems++
        report += `${file}: not formatted (run npm run format)\n`
      }
    }
  } finally {
    biome.shutdown()
  }
  return { problems, rewritten, report }
}
