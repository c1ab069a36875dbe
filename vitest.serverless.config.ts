import { defineConfig } from "vitest/config"

// The serverless examples run in workerd, Deno, Bun and a Lambda-style Node process (npm run test:serverless).
export default defineConfig({
  resolve: { conditions: ["source"] },
  test: {
    include: ["test/serverless/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
