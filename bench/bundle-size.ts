/**
 * What the generated API adds to a bundle.
 *
 *   npx tsx bench/bundle-size.ts
 *   npm run bench:bundle
 *
 * Bundles small programs with esbuild (minified ESM, as a serverless handler
 * would ship) and prints the size, the gzip size and how much of it comes from
 * `src/api`, `src/core` and `effect`. The first program imports only `Pod`
 * from `core/v1` and decodes one pod; the others show what it is compared
 * with. It also checks that kinds the program does not use stayed out.
 */
import { gzipSync } from "node:zlib"
import * as esbuild from "esbuild"

const root = new URL("..", import.meta.url).pathname

interface Program {
  readonly name: string
  readonly source: string
  /** Names that must not appear in the bundle when tree-shaking works. */
  readonly absent: ReadonlyArray<string>
}

const programs: ReadonlyArray<Program> = [
  {
    name: "Pod from core/v1, decode one pod",
    source: `
      import { Schema } from "effect"
      import { Pod } from "./src/api/core/v1.js"
      export const decode = (input) => Schema.decodeUnknownSync(Pod.schema)(input)`,
    absent: ["ReplicationController", "PersistentVolumeSpec", "apps/v1", "DeploymentSpec"]
  },
  {
    name: "Pod and Deployment, decode one of each",
    source: `
      import { Schema } from "effect"
      import { Pod } from "./src/api/core/v1.js"
      import { Deployment } from "./src/api/apps/v1.js"
      export const pod = (input) => Schema.decodeUnknownSync(Pod.schema)(input)
      export const deployment = (input) => Schema.decodeUnknownSync(Deployment.schema)(input)`,
    absent: ["ReplicationController", "StatefulSetSpec"]
  },
  {
    name: "all of core/v1",
    source: `export * from "./src/api/core/v1.js"`,
    absent: []
  },
  {
    name: "registry (every group-version)",
    source: `export * from "./src/api/registry.js"`,
    absent: []
  },
  {
    name: "baseline: one hand-written Schema.Struct decode",
    source: `
      import { Schema } from "effect"
      const Pod = Schema.Struct({ metadata: Schema.Struct({ name: Schema.String }) })
      export const decode = (input) => Schema.decodeUnknownSync(Pod)(input)`,
    absent: []
  }
]

const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`.padStart(9)

for (const program of programs) {
  const result = await esbuild.build({
    stdin: { contents: program.source, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "error"
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`${program.name}: no output`)
  const bytes = output.contents.byteLength
  const gzip = gzipSync(output.contents, { level: 9 }).byteLength
  const bySource = { api: 0, core: 0, effect: 0 }
  for (const outputMeta of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(outputMeta.inputs)) {
      if (input.startsWith("src/api/")) bySource.api += bytesInOutput
      else if (input.startsWith("src/core/")) bySource.core += bytesInOutput
      else if (input.includes("node_modules/effect/")) bySource.effect += bytesInOutput
    }
  }
  const present = program.absent.filter((name) => output.text.includes(name))
  process.stdout.write(
    `${program.name}\n` +
      `  ${kilobytes(bytes)} minified, ${kilobytes(gzip)} gzip` +
      `  (src/api ${kilobytes(bySource.api).trim()}, src/core ${kilobytes(bySource.core).trim()}, effect ${kilobytes(bySource.effect).trim()})\n` +
      (program.absent.length === 0
        ? ""
        : present.length === 0
          ? `  tree-shaken: none of ${program.absent.join(", ")}\n`
          : `  NOT tree-shaken: ${present.join(", ")}\n`)
  )
  if (present.length > 0) process.exitCode = 1
}
