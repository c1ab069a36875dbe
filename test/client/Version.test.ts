import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { userAgent, version } from "../../src/version.js"

describe("version", () => {
  it("matches package.json, and the User-Agent carries it", () => {
    const manifest: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
    expect(
      typeof manifest === "object" && manifest !== null && "version" in manifest ? manifest.version : undefined
    ).toBe(version)
    expect(userAgent).toBe(`effect-kube/${version}`)
  })
})
