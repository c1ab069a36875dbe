import { defineConfig } from "vitest/config"

// Unit and integration tests; the real-server conformance suite has its own config (npm run test:e2e).
export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/conformance/**", "test/serverless/**", "node_modules/**"]
  }
})
