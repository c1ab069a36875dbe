import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const coreDirectory = new URL("../../src/core/", import.meta.url).pathname

const sources = (directory: string): Array<string> =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(directory, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(directory, entry.name)]
        : []
  )

const importPattern = /(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g

describe("the core is pure", () => {
  it("imports only effect's data modules and other core modules: no client, no Node, no network", () => {
    const allowed = (specifier: string) =>
      specifier === "effect" ||
      specifier === "effect/http" ||
      // the schema compiler registry, where open structs install their fast decoders
      specifier === "effect/schema" ||
      (specifier.startsWith("./") && !specifier.includes(".."))
    const offenders: Array<string> = []
    for (const file of sources(coreDirectory)) {
      const text = readFileSync(file, "utf8")
      for (const match of text.matchAll(importPattern)) {
        const specifier = match[1] ?? match[2] ?? ""
        const insideInternal =
          file.includes("/internal/") && specifier.startsWith("../") && !specifier.includes("../..")
        if (!allowed(specifier) && !insideInternal) offenders.push(`${file}: ${specifier}`)
      }
      if (/\bfetch\(|HttpClient\b(?!Request)|process\.|globalThis\./.test(text))
        offenders.push(`${file}: I/O or globals`)
    }
    expect(offenders).toEqual([])
  })
})
