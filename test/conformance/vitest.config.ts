import { defineConfig } from "vitest/config"

// The conformance suite (npm run test:e2e): one suite, run against the target
// CONFORMANCE_TARGET names (real | fakekube), started once by globalSetup.ts.
export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/conformance/**/*.test.ts"],
    globalSetup: ["test/conformance/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
})
