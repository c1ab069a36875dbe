import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Patch from "../../src/core/Patch.js"
import * as Time from "../../src/core/Time.js"
import * as Finalizer from "../../src/runtime/Finalizer.js"
import * as LeaderElection from "../../src/runtime/LeaderElection.js"
import * as Recorder from "../../src/runtime/Recorder.js"

describe("Finalizer patches", () => {
  it("adds to absent finalizers only while they are still absent", () => {
    assert.deepStrictEqual(Finalizer.addPatch(undefined, "example.com/cleanup"), {
      _tag: "Json",
      operations: [
        { op: "test", path: "/metadata/finalizers", value: null },
        { op: "add", path: "/metadata/finalizers", value: ["example.com/cleanup"] }
      ]
    })
  })

  it("appends to existing finalizers only while they are exactly as read", () => {
    const patch = Finalizer.addPatch(["other"], "example.com/cleanup")
    assert.strictEqual(
      Patch.bodyText(patch),
      JSON.stringify([
        { op: "test", path: "/metadata/finalizers", value: ["other"] },
        { op: "add", path: "/metadata/finalizers/-", value: "example.com/cleanup" }
      ])
    )
  })

  it("removes by index after testing the entry there", () => {
    assert.strictEqual(
      Patch.bodyText(Finalizer.removePatch(1, "example.com/cleanup")),
      JSON.stringify([
        { op: "test", path: "/metadata/finalizers/1", value: "example.com/cleanup" },
        { op: "remove", path: "/metadata/finalizers/1" }
      ])
    )
  })
})

describe("Recorder.truncateNote", () => {
  it("keeps a note of at most 1 KiB and cuts a longer one to 1024 bytes", () => {
    assert.strictEqual(Recorder.truncateNote("short"), "short")
    assert.strictEqual(Recorder.truncateNote("a".repeat(1024)), "a".repeat(1024))
    assert.strictEqual(Recorder.truncateNote("a".repeat(2000)), "a".repeat(1024))
  })

  it("never cuts inside a multi-byte character", () => {
    // 1023 ASCII bytes then a 3-byte character: it does not fit and is dropped whole.
    const note = `${"a".repeat(1023)}€tail`
    const cut = Recorder.truncateNote(note)
    assert.strictEqual(cut, "a".repeat(1023))
    assert.isTrue(new TextEncoder().encode(Recorder.truncateNote("€".repeat(500))).length <= 1024)
    assert.strictEqual(Recorder.truncateNote("€".repeat(500)), "€".repeat(341))
  })
})

describe("Recorder.reference", () => {
  it("takes the identity of an object, and apiVersion/kind from the descriptor when missing", () => {
    const object = { metadata: { name: "web", namespace: "prod", uid: "u-1", resourceVersion: "7" } }
    assert.deepStrictEqual(Recorder.reference(object, { apiVersion: "v1", kind: "ConfigMap" }), {
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "prod",
      name: "web",
      uid: "u-1",
      resourceVersion: "7"
    })
    assert.deepStrictEqual(Recorder.reference({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }), {
      apiVersion: "v1",
      kind: "Node",
      name: "n1"
    })
  })
})

describe("Time.microTimeFromMillis", () => {
  it("writes six fractional digits", () => {
    assert.strictEqual(Time.microTimeFromMillis(Date.UTC(2026, 0, 10, 8, 0, 0, 123)), "2026-01-10T08:00:00.123000Z")
  })
})

describe("LeaderElection.validate", () => {
  it("fills in client-go's defaults", () =>
    Effect.gen(function* () {
      const settings = yield* LeaderElection.validate({ name: "lock", identity: "a" })
      assert.deepStrictEqual(settings, {
        leaseDurationMillis: 15_000,
        renewDeadlineMillis: 10_000,
        retryPeriodMillis: 2_000
      })
    }).pipe(Effect.runSync))

  it("refuses durations out of order, as client-go does", () => {
    const cases: ReadonlyArray<readonly [LeaderElection.Config, string]> = [
      [{ name: "lock", identity: "a", leaseDuration: "10 seconds" }, "leaseDuration"],
      [{ name: "lock", identity: "a", renewDeadline: "2 seconds" }, "renewDeadline"],
      [{ name: "lock", identity: "a", retryPeriod: "0 seconds" }, "retryPeriod"],
      [
        {
          name: "lock",
          identity: "a",
          leaseDuration: "500 millis",
          renewDeadline: "400 millis",
          retryPeriod: "100 millis"
        },
        "leaseDuration"
      ],
      [{ name: "lock", identity: "" }, "identity"],
      [{ name: "", identity: "a" }, "name"]
    ]
    for (const [config, field] of cases) {
      const error = Effect.runSync(Effect.flip(LeaderElection.validate(config)))
      assert.strictEqual(error.field, field)
    }
  })
})
