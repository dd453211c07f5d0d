// Plain JavaScript: vite loads config files with workspace packages external.
import { defineProject } from "vitest/config";

/**
 * Resolve sibling packages to their TypeScript sources (the
 * `@jupyter-ts/source` export condition), so tests never need a build first.
 * The remaining conditions are vite's defaults for the server side.
 */
const conditions = ["@jupyter-ts/source", "module", "node", "development|production"];

/**
 * A vitest project for one package of the workspace.
 *
 * @param {string} name the project's name in the test output
 * @param {import("./index.d.ts").ProjectOptions} [options]
 */
export function packageProject(name, options = {}) {
  const { testTimeout = 30_000, environment = "node", ...test } = options;
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      environment,
      include: ["test/**/*.test.ts"],
      testTimeout,
      hookTimeout: testTimeout,
      typecheck: { enabled: false },
      ...test,
    },
  });
}
