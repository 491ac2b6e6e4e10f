import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The isolation test imports the built entry; build first (npm run build).
    testTimeout: 30_000,
  },
});
