/**
 * `npm run lint` checks every file git knows (tracked or untracked and not
 * ignored) with Biome; `npm run format` (`--write`) applies safe fixes and
 * formatting. See `scripts/biome.ts` for why Biome runs as WebAssembly.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { extname, resolve } from "node:path"
import { check } from "./biome.js"

const write = process.argv.includes("--write")
const root = resolve(import.meta.dirname, "..")
const checkedExtensions = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", ".jsonc"])

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
  cwd: root,
  encoding: "utf8"
})
  .split("\0")
  .filter(
    (file) =>
      checkedExtensions.has(extname(file)) && !file.endsWith("package-lock.json") && existsSync(resolve(root, file))
  )

const result = check({ root, files, write })
process.stdout.write(result.report)
process.stdout.write(
  `Checked ${files.length} files${write ? `, rewrote ${result.rewritten}` : ""}; ${result.problems} problem(s).\n`
)
process.exitCode = result.problems === 0 ? 0 : 1
