import { assert, describe, it } from "@effect/vitest"
import { DateTime, Option } from "effect"
import * as IntOrString from "../../src/core/IntOrString.js"
import * as Quantity from "../../src/core/Quantity.js"
import * as Time from "../../src/core/Time.js"

describe("Quantity.toNumber", () => {
  it("reads decimal, binary and exponent suffixes", () => {
    assert.strictEqual(Quantity.toNumber("500m"), 0.5)
    assert.strictEqual(Quantity.toNumber("2"), 2)
    assert.strictEqual(Quantity.toNumber("1.5k"), 1500)
    assert.strictEqual(Quantity.toNumber("128Mi"), 128 * 2 ** 20)
    assert.strictEqual(Quantity.toNumber("1Gi"), 2 ** 30)
    assert.strictEqual(Quantity.toNumber("1e3"), 1000)
    assert.strictEqual(Quantity.toNumber("1E"), 1e18)
    assert.strictEqual(Quantity.toNumber("100n"), 1e-7)
    assert.strictEqual(Quantity.toNumber("-.5"), -0.5)
  })

  it("refuses what is not a quantity", () => {
    for (const text of ["", "abc", "1 Gi", "1Gb", "1.2.3", "Mi"]) assert.isUndefined(Quantity.toNumber(text), text)
  })
})

describe("Time", () => {
  it("parses second and microsecond timestamps, and refuses garbage", () => {
    const time = Time.toDateTime("2026-01-10T08:00:00Z")
    assert.strictEqual(Option.map(time, DateTime.toEpochMillis).pipe(Option.getOrUndefined), Date.UTC(2026, 0, 10, 8))
    assert.strictEqual(Time.toDate("2026-01-10T09:00:05.123456Z").getTime(), Date.UTC(2026, 0, 10, 9, 0, 5, 123))
    assert.isTrue(Option.isNone(Time.toDateTime("yesterday")))
  })
})

describe("IntOrString.scaledValue", () => {
  it("takes integers as they are and percentages of the total, rounded as asked", () => {
    assert.strictEqual(IntOrString.scaledValue(2, 10, true), 2)
    assert.strictEqual(IntOrString.scaledValue("25%", 10, true), 3)
    assert.strictEqual(IntOrString.scaledValue("25%", 10, false), 2)
    assert.isUndefined(IntOrString.scaledValue("5", 10, true))
  })
})
