/**
 * Impersonation headers (`kubectl --as`): acting as another user, with
 * groups, a uid and extra attributes, as client-go sends them.
 *
 * @since 0.1.0
 */
import type { Impersonation } from "./ClusterConfig.js"

/**
 * Percent-escapes an extra key for its header name, as client-go does: the
 * key is a header-name token, so anything outside unreserved characters is
 * escaped (`example.com/scopes` → `example.com%2fscopes`).
 */
const escapeKey = (key: string): string =>
  Array.from(new TextEncoder().encode(key), (byte) => {
    const character = String.fromCharCode(byte)
    return /[A-Za-z0-9\-_.~!#$&'*+^`|]/.test(character) ? character : `%${byte.toString(16).padStart(2, "0")}`
  }).join("")

/**
 * The headers for an impersonation: `Impersonate-User`, one
 * `Impersonate-Group` per group, `Impersonate-Uid`, and one
 * `Impersonate-Extra-<escaped key>` per value.
 *
 * @category headers
 */
export const impersonationHeaders = (impersonation: Impersonation): ReadonlyArray<readonly [string, string]> => {
  const headers: Array<readonly [string, string]> = [["Impersonate-User", impersonation.user]]
  for (const group of impersonation.groups) headers.push(["Impersonate-Group", group])
  if (impersonation.uid !== undefined) headers.push(["Impersonate-Uid", impersonation.uid])
  for (const key of Object.keys(impersonation.extra).sort()) {
    for (const value of impersonation.extra[key] ?? []) headers.push([`Impersonate-Extra-${escapeKey(key)}`, value])
  }
  return headers
}
