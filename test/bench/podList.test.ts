import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { podListJson, watchEventsNdjson } from "../../bench/podList.js"
import { Pod } from "../../src/api/core/v1.js"
import * as WatchEvent from "../../src/core/WatchEvent.js"

// The benches compare clients on this data; if it stopped looking like what
// a 1.35 API server sends (or stopped decoding), every figure would be off.
describe("the bench data", () => {
  it("is a PodList of realistic pods of about 6.5 KB that decode with the Pod schema", () => {
    const text = podListJson(200)
    const kilobytesPerPod = Buffer.byteLength(text) / 200 / 1000
    assert.isAtLeast(kilobytesPerPod, 6)
    assert.isAtMost(kilobytesPerPod, 7.5)
    const decoded = Schema.decodeUnknownResult(Pod.listSchema)(JSON.parse(text))
    assert.isTrue(Result.isSuccess(decoded))
    if (!Result.isSuccess(decoded)) return
    const items = decoded.success.items
    assert.strictEqual(items.length, 200)
    assert.strictEqual(new Set(items.map((item) => item.metadata?.uid)).size, 200)
    const first = items[0]
    assert.strictEqual(first?.metadata?.managedFields?.length, 2)
    assert.strictEqual(first?.metadata?.ownerReferences?.[0]?.kind, "ReplicaSet")
    assert.strictEqual(first?.spec?.containers.length, 2)
    assert.strictEqual(first?.status?.containerStatuses?.length, 2)
    // `lastProbeTime: null` on the wire is an absent field once decoded.
    assert.isFalse("lastProbeTime" in (first?.status?.conditions?.[0] ?? {}))
  })

  it("is a watch of typed events with a bookmark every 1000 events", () => {
    const lines = watchEventsNdjson(2000).split("\n")
    assert.strictEqual(lines.pop(), "")
    assert.strictEqual(lines.length, 2000)
    const decode = Schema.decodeUnknownResult(WatchEvent.schema(Pod.schema))
    const types = new Map<string, number>()
    for (const line of lines) {
      const event = decode(JSON.parse(line))
      assert.isTrue(Result.isSuccess(event), line.slice(0, 80))
      if (Result.isSuccess(event)) types.set(event.success.type, (types.get(event.success.type) ?? 0) + 1)
    }
    assert.deepStrictEqual(Object.fromEntries(types), { ADDED: 20, MODIFIED: 1958, DELETED: 20, BOOKMARK: 2 })
  })
})
