import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as Selector from "../../src/core/Selector.js"

const rendered = (result: Result.Result<string, { readonly detail: string }>) =>
  Result.match(result, { onSuccess: (value) => value, onFailure: (error) => `error: ${error.detail}` })

describe("label selectors", () => {
  it("renders every requirement kind", () => {
    expect(
      rendered(
        Selector.labelSelector([
          Selector.equals("app", "web"),
          Selector.notEquals("tier", "db"),
          Selector.isIn("env", ["prod", "dev"]),
          Selector.notIn("zone", ["b"]),
          Selector.exists("app.kubernetes.io/name"),
          Selector.doesNotExist("canary")
        ])
      )
    ).toBe("app=web,tier!=db,env in (dev,prod),zone notin (b),app.kubernetes.io/name,!canary")
  })

  it("renders a label map in key order", () => {
    expect(rendered(Selector.labelSelector(Selector.fromLabels({ b: "2", a: "1" })))).toBe("a=1,b=2")
  })

  it("refuses keys and values that would change the selector's meaning", () => {
    expect(rendered(Selector.labelSelector([Selector.equals("app", "a,b")]))).toMatch(/^error: value "a,b"/)
    expect(rendered(Selector.labelSelector([Selector.equals("a=b", "c")]))).toMatch(/^error: label key "a=b"/)
    expect(rendered(Selector.labelSelector([Selector.exists("Bad_Prefix.io/x")]))).toMatch(/invalid prefix/)
    expect(rendered(Selector.labelSelector([Selector.equals("k", "v".repeat(64))]))).toMatch(/^error: value/)
    expect(rendered(Selector.labelSelector([Selector.equals("empty", "")]))).toBe("empty=")
  })
})

describe("field selectors", () => {
  it("escapes backslash, comma and equals in values", () => {
    expect(
      rendered(
        Selector.fieldSelector([
          Selector.fieldEquals("metadata.name", "a,b=c\\d"),
          Selector.fieldNotEquals("status.phase", "Running")
        ])
      )
    ).toBe("metadata.name=a\\,b\\=c\\\\d,status.phase!=Running")
  })
})
