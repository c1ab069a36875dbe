/**
 * Where the generator reads OpenAPI documents from: a file, a directory of v3
 * documents, or a URL. Fetching is one small function (`FetchText`) so a
 * caller can route it through an authenticated client; the default uses the
 * global `fetch` (enough for `kubectl proxy` or an unauthenticated endpoint).
 */
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import * as Spec from "./Spec.js"

/** Fetches a URL and returns the body text. */
export type FetchText = (url: string) => Promise<string>

/** Fetches with the global `fetch`, failing on a non-2xx status. */
export const fetchText: FetchText = async (url) => {
  const response = await fetch(url, { headers: { accept: "application/json" } })
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`)
  return response.text()
}

const isUrl = (location: string): boolean => /^https?:\/\//.test(location)

/** A location as it may appear in generated headers: a URL without credentials or query, or a file's base name. */
const describe = (location: string): string => {
  if (!isUrl(location)) return Path.basename(location)
  const url = new URL(location)
  return `${url.origin}${url.pathname}`
}

/** Loads an OpenAPI v2 document from a file or a URL (`https://host/openapi/v2`). */
export const readV2 = async (location: string, fetch: FetchText = fetchText): Promise<Spec.Spec> => {
  const text = isUrl(location) ? await fetch(location) : await Fs.readFile(location, "utf8")
  return Spec.fromV2(text, describe(location))
}

const filesUnder = async (directory: string): Promise<Array<string>> => {
  const entries = await Fs.readdir(directory, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && (entry.name.endsWith(".json") || !entry.name.includes(".")))
    .map((entry) => Path.join(entry.parentPath, entry.name))
    .sort()
}

/**
 * Loads OpenAPI v3 documents: every JSON file under a directory (as saved
 * from `/openapi/v3/<path>`), or, from a URL of the `/openapi/v3` index, every
 * document it lists.
 */
export const readV3 = async (location: string, fetch: FetchText = fetchText): Promise<Spec.Spec> => {
  if (!isUrl(location)) {
    const files = await filesUnder(location)
    const documents = await Promise.all(
      files.map(async (file) => ({ text: await Fs.readFile(file, "utf8"), origin: Path.relative(location, file) }))
    )
    return Spec.fromV3(documents, describe(location))
  }
  const index = Spec.decodeV3Index(await fetch(location))
  const documents = await Promise.all(
    Object.keys(index.paths)
      .sort()
      .map(async (path) => {
        const url = new URL(index.paths[path]?.serverRelativeURL ?? "", location).toString()
        return { text: await fetch(url), origin: path }
      })
  )
  return Spec.fromV3(documents, describe(location))
}
