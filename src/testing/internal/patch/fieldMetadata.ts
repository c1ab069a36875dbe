/**
 * Lookups in the generated patch metadata (`src/api/patchMetadata.ts`) that
 * the patch engines share: the OpenAPI definition of a kind, and how one field
 * of a definition merges. A field the table does not list is a scalar or a
 * free-form value (labels, annotations, unknown fields): its lookup is
 * `undefined`, and so is the definition of anything below it.
 */
import { definitions, type FieldMetadata, kinds } from "../../../api/patchMetadata.js"

/** The OpenAPI definition name of `kind` in `apiVersion` (`io.k8s.api.apps.v1.Deployment`), if the spec has it. */
export const definitionOf = (apiVersion: string, kind: string): string | undefined => kinds[apiVersion]?.[kind]

/** How `field` of `definition` merges; `undefined` for a field without metadata or below a free-form value. */
export const fieldOf = (definition: string | undefined, field: string): FieldMetadata | undefined => {
  const fields = definition === undefined ? undefined : definitions[definition]?.fields
  // Patch keys are arbitrary: `constructor` must not find Object.prototype's.
  return fields !== undefined && Object.hasOwn(fields, field) ? fields[field] : undefined
}
