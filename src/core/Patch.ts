/**
 * Patches: the four kinds the API server accepts, each with its content type.
 *
 * - `merge`: JSON merge patch (RFC 7386, `application/merge-patch+json`);
 *   `null` deletes a field, lists are replaced whole.
 * - `json`: JSON patch (RFC 6902, `application/json-patch+json`): a list of
 *   operations; a `test` operation makes the patch conditional.
 * - `strategic`: strategic merge patch
 *   (`application/strategic-merge-patch+json`), built-in kinds only; lists
 *   merge by their patch merge key.
 * - `apply`: server-side apply (`application/apply-patch+yaml`; JSON is valid
 *   YAML): the fields this manager wants to own; requires a `fieldManager`.
 *
 * @since 0.1.0
 */

/**
 * One RFC 6902 operation. `path` and `from` are JSON pointers; build them
 * with `pointer` so `/` and `~` in keys are escaped.
 *
 * @category models
 */
export type JsonPatchOperation =
  | { readonly op: "add"; readonly path: string; readonly value: unknown }
  | { readonly op: "remove"; readonly path: string }
  | { readonly op: "replace"; readonly path: string; readonly value: unknown }
  | { readonly op: "move"; readonly from: string; readonly path: string }
  | { readonly op: "copy"; readonly from: string; readonly path: string }
  | { readonly op: "test"; readonly path: string; readonly value: unknown }

/**
 * A patch of one of the four kinds.
 *
 * @category models
 */
export type Patch =
  | { readonly _tag: "Merge"; readonly body: unknown }
  | { readonly _tag: "Json"; readonly operations: ReadonlyArray<JsonPatchOperation> }
  | { readonly _tag: "Strategic"; readonly body: unknown }
  | { readonly _tag: "Apply"; readonly body: unknown }

/** A JSON merge patch. @category constructors */
export const merge = (body: unknown): Patch => ({ _tag: "Merge", body })
/** A JSON patch. @category constructors */
export const json = (operations: ReadonlyArray<JsonPatchOperation>): Patch => ({ _tag: "Json", operations })
/** A strategic merge patch (built-in kinds only). @category constructors */
export const strategic = (body: unknown): Patch => ({ _tag: "Strategic", body })
/**
 * A server-side apply patch: the full intent of one field manager, usually a
 * whole object with `apiVersion`, `kind` and `metadata.name`.
 *
 * @category constructors
 */
export const apply = (body: unknown): Patch => ({ _tag: "Apply", body })

/**
 * The content type of each kind of patch.
 *
 * @category accessors
 */
export const contentTypes = {
  Merge: "application/merge-patch+json",
  Json: "application/json-patch+json",
  Strategic: "application/strategic-merge-patch+json",
  Apply: "application/apply-patch+yaml"
} as const satisfies Record<Patch["_tag"], string>

/**
 * The content type the server expects for a patch.
 *
 * @category accessors
 */
export const contentType = (patch: Patch): string => contentTypes[patch._tag]

/**
 * The body of a patch as JSON text.
 *
 * @category accessors
 */
export const bodyText = (patch: Patch): string => JSON.stringify(patch._tag === "Json" ? patch.operations : patch.body)

/**
 * A JSON pointer from path segments, escaping `~` as `~0` and `/` as `~1`
 * (`pointer("metadata", "labels", "app.kubernetes.io/name")` →
 * `/metadata/labels/app.kubernetes.io~1name`).
 *
 * @category constructors
 */
export const pointer = (...segments: ReadonlyArray<string | number>): string =>
  segments.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("")
