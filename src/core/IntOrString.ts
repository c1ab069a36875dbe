/**
 * `IntOrString`: a field that holds either an integer or a string, such as a
 * port given by number or by name (`8080` or `"http"`), or a count given
 * absolutely or as a percentage (`2` or `"25%"`). The value stays in the form it
 * was sent.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An integer or a string.
 *
 * @category models
 */
export type IntOrString = number | string

/**
 * The schema of an `IntOrString`: an integer or a string, as sent. Annotated with the OpenAPI definition it stands
 * for, so OpenAPI documents built from the schemas (FakeKube's `/openapi`)
 * can refer to it.
 *
 * @category schemas
 */
export const IntOrString: Schema.Codec<IntOrString> = Schema.Union([Schema.Int, Schema.String]).annotate({
  openapiDefinition: "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
})

/**
 * Resolves a count given absolutely or as a percentage of `total`, as
 * client-go's `GetScaledValueFromIntOrPercent` does: `"25%"` of 10 is 3 when
 * rounding up, 2 when rounding down. `undefined` when the string is not a
 * percentage.
 *
 * @category accessors
 */
export const scaledValue = (value: IntOrString, total: number, roundUp: boolean): number | undefined => {
  if (typeof value === "number") return value
  const match = /^(\d+)%$/.exec(value)
  if (match === null) return undefined
  const scaled = (Number(match[1]) * total) / 100
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled)
}
