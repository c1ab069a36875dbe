/**
 * `Quantity`: a fixed-point number with a unit suffix, how Kubernetes writes
 * CPU, memory and storage amounts (`500m`, `1.5`, `128Mi`, `1e3`). Decoded
 * objects keep the string the server sent; `toNumber` reads its value.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A quantity in its canonical string form.
 *
 * @category models
 */
export type Quantity = string

/**
 * The schema of a `Quantity`: the string as sent (`500m`, `1Gi`). Annotated with the OpenAPI definition it stands
 * for, so OpenAPI documents built from the schemas (FakeKube's `/openapi`)
 * can refer to it.
 *
 * @category schemas
 */
export const Quantity: Schema.Codec<Quantity> = Schema.String.annotate({
  openapiDefinition: "io.k8s.apimachinery.pkg.api.resource.Quantity"
})

const binaryExponents: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }

const decimalExponents: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }

// <signedNumber><suffix>, where the suffix is a decimal exponent, a binary or a decimal SI unit.
const grammar = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?))$/

/**
 * The value of a quantity as a number (`"500m"` → 0.5, `"1Gi"` → 1073741824,
 * `"1e3"` → 1000), or `undefined` when the string is not a quantity. Values
 * beyond 2^53 lose precision, as any JavaScript number does.
 *
 * @category accessors
 */
export const toNumber = (quantity: Quantity): number | undefined => {
  const match = grammar.exec(quantity)
  if (match === null) return undefined
  const [, digits, exponent, unit = ""] = match
  const binary = binaryExponents[unit]
  if (binary !== undefined) return Number(digits) * 2 ** binary
  // Scaling in the decimal string keeps "100n" exactly 1e-7 instead of 100 * 1e-9.
  return Number(`${digits}e${exponent ?? decimalExponents[unit]}`)
}
