import { describe, expect, it } from "@effect/vitest"
import { Exit, Schema } from "effect"
import { DynamicObject } from "../../src/core/DynamicObject.js"
import * as ObjectList from "../../src/core/ObjectList.js"
import { ObjectMeta } from "../../src/core/ObjectMeta.js"
import * as Status from "../../src/core/Status.js"
import * as WatchEvent from "../../src/core/WatchEvent.js"

const roundTrip = <A>(schema: Schema.Codec<A, unknown>, input: unknown): unknown =>
  Schema.encodeUnknownSync(schema)(Schema.decodeUnknownSync(schema)(input))

describe("protocol schemas keep every field", () => {
  it("round-trips a Status with causes, retryAfterSeconds and fields unknown to the schema", () => {
    const status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: { resourceVersion: "12", futureListField: true },
      status: "Failure",
      message: 'Deployment.apps "web" is invalid',
      reason: "Invalid",
      details: {
        name: "web",
        group: "apps",
        kind: "Deployment",
        causes: [{ reason: "FieldValueInvalid", message: "must be positive", field: "spec.replicas", extra: 1 }],
        retryAfterSeconds: 3,
        newDetail: { nested: ["a"] }
      },
      code: 422,
      addedInV2: { x: 1 }
    }
    expect(roundTrip(Status.Status, status)).toEqual(status)
  })

  it("accepts reasons it does not know and keeps them", () => {
    const decoded = Schema.decodeUnknownSync(Status.Status)({ kind: "Status", reason: "BrandNewReason", code: 418 })
    expect(decoded.reason).toBe("BrandNewReason")
  })

  it("round-trips every kind of watch event", () => {
    const events = [
      { type: "ADDED", object: { apiVersion: "v1", kind: "Pod", metadata: { name: "a", x: { y: 1 } }, spec: {} } },
      { type: "MODIFIED", object: { kind: "Pod", metadata: { name: "a" }, status: { phase: "Running" } } },
      { type: "DELETED", object: { kind: "Pod", metadata: { name: "a", deletionTimestamp: "2024-01-01T00:00:00Z" } } },
      {
        type: "BOOKMARK",
        object: {
          kind: "Pod",
          apiVersion: "v1",
          metadata: { resourceVersion: "99", annotations: { "k8s.io/initial-events-end": "true" } }
        }
      },
      {
        type: "ERROR",
        object: {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "Expired",
          code: 410,
          message: "too old"
        },
        unknownEnvelopeField: 7
      }
    ]
    const schema = WatchEvent.schema(DynamicObject)
    for (const event of events) expect(roundTrip(schema, event)).toEqual(event)
    const bookmark = Schema.decodeUnknownSync(schema)(events[3])
    expect(bookmark.type === "BOOKMARK" && WatchEvent.isInitialEventsEnd(bookmark.object)).toBe(true)
  })

  it("rejects an unknown event type and a bookmark without a resourceVersion", () => {
    const schema = WatchEvent.schema(DynamicObject)
    expect(Exit.isFailure(Schema.decodeUnknownExit(schema)({ type: "SYNC", object: {} }))).toBe(true)
    expect(Exit.isFailure(Schema.decodeUnknownExit(schema)({ type: "BOOKMARK", object: { metadata: {} } }))).toBe(true)
  })

  it.prop(
    "round-trips a DynamicObject with arbitrary unknown nested fields",
    {
      spec: Schema.Record(Schema.String, Schema.Json),
      extraMetadata: Schema.Record(Schema.String.check(Schema.isPattern(/^x-/)), Schema.Json),
      labels: Schema.Record(Schema.String, Schema.String)
    },
    ({ spec, extraMetadata, labels }) => {
      const object = {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w", labels, ...extraMetadata },
        spec,
        status: { nested: { deeper: [spec] } }
      }
      expect(roundTrip(DynamicObject, object)).toEqual(object)
    }
  )

  it("reports the path of a field that does not match", () => {
    const exit = Schema.decodeUnknownExit(ObjectList.schema(DynamicObject))({
      items: [{ metadata: { name: "ok" } }, { metadata: { ownerReferences: [{ kind: "X", name: 1 }] } }]
    })
    expect(Exit.isFailure(exit) ? String(exit.cause) : "").toMatch(
      /\["items"\]\[1\]\["metadata"\]\["ownerReferences"\]\[0\]/
    )
  })

  it("decodes a list whose items are null as an empty list, and defaults missing list metadata", () => {
    const list = Schema.decodeUnknownSync(ObjectList.schema(DynamicObject))({ kind: "PodList", items: null })
    expect(list.items).toEqual([])
    expect(list.metadata).toEqual({})
  })

  it("keeps unknown fields of ObjectMeta", () => {
    const meta = {
      name: "a",
      uid: "1",
      futureField: { a: [1, 2] },
      managedFields: [{ manager: "m", fieldsV1: { "f:a": {} }, x: 1 }]
    }
    expect(roundTrip(ObjectMeta, meta)).toEqual(meta)
  })
})

describe("Status reasons", () => {
  it("derives the reason from the code when the server gave none, as client-go does", () => {
    expect(Status.reasonOf({ code: 404 })).toBe("NotFound")
    expect(Status.reasonOf({ code: 410, reason: "" })).toBe("Gone")
    expect(Status.reasonOf({ code: 500, reason: "Unknown" })).toBe("InternalError")
    expect(Status.reasonOf({ code: 409, reason: "AlreadyExists" })).toBe("AlreadyExists")
    expect(Status.reasonOf({ code: 418, reason: "Teapot" })).toBe("Teapot")
    expect(Status.isGone({ reason: "Expired", code: 410 })).toBe(true)
    expect(Status.isNotFound({ reason: "Conflict", code: 404 })).toBe(false)
  })

  it("synthesises a Status for a body that was not one; 409 on a create is AlreadyExists", () => {
    expect(Status.fromCode(409, "conflict", "POST").reason).toBe("AlreadyExists")
    expect(Status.fromCode(409, "conflict", "PUT").reason).toBe("Conflict")
    expect(Status.fromCode(503, "unavailable")).toEqual({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      code: 503,
      reason: "ServiceUnavailable",
      message: "unavailable"
    })
  })

  it("reads the suggested retry delay only when positive", () => {
    expect(Status.retryAfterSeconds({ details: { retryAfterSeconds: 2 } })).toBe(2)
    expect(Status.retryAfterSeconds({ details: { retryAfterSeconds: 0 } })).toBeUndefined()
  })
})
