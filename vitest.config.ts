import { defineConfig } from "vitest/config";

// One root config; every package and tooling package with tests is a project.
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "tooling/*/vitest.config.ts"],
  },
});
