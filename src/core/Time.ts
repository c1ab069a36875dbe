/**
 * `Time` and `MicroTime`: Kubernetes timestamps as they travel, RFC 3339
 * strings (`2024-05-01T12:00:00Z`, with microseconds for `MicroTime`). Decoded
 * objects keep the wire string so decode → encode is byte-for-byte faithful;
 * the accessors here parse it when a program needs a point in time.
 *
 * @since 0.1.0
 */
import { DateTime, Option, Schema } from "effect"

/**
 * A timestamp with second precision, as the RFC 3339 string the server sent.
 *
 * @category models
 */
export type Time = string

/**
 * The schema of a `Time`: the RFC 3339 string as sent. Annotated with the OpenAPI definition it stands
 * for, so OpenAPI documents built from the schemas (FakeKube's `/openapi`)
 * can refer to it.
 *
 * @category schemas
 */
export const Time: Schema.Codec<Time> = Schema.String.annotate({
  openapiDefinition: "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
})

/**
 * A timestamp with microsecond precision, as the RFC 3339 string the server
 * sent.
 *
 * @category models
 */
export type MicroTime = string

/**
 * The schema of a `MicroTime`: the RFC 3339 string with microseconds, as sent. Annotated with the OpenAPI definition it stands
 * for, so OpenAPI documents built from the schemas (FakeKube's `/openapi`)
 * can refer to it.
 *
 * @category schemas
 */
export const MicroTime: Schema.Codec<MicroTime> = Schema.String.annotate({
  openapiDefinition: "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"
})

/**
 * The instant a timestamp names, or `None` when the string is not a date.
 *
 * @category accessors
 */
export const toDateTime = (time: Time | MicroTime): Option.Option<DateTime.Utc> =>
  Option.map(DateTime.make(time), DateTime.toUtc)

/**
 * The timestamp as a JavaScript `Date` (an invalid `Date` when the string is
 * not a date, as `new Date` does).
 *
 * @category accessors
 */
export const toDate = (time: Time | MicroTime): Date => new Date(time)

/**
 * The `MicroTime` string of an instant given in epoch milliseconds
 * (`2024-05-01T12:00:00.123000Z`): the API server parses `MicroTime` with
 * exactly six fractional digits and rejects the three of `toISOString`.
 *
 * @category constructors
 */
export const microTimeFromMillis = (millis: number): MicroTime =>
  new Date(millis).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z")
