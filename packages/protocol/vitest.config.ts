import { packageProject } from "@jupyter-ts/vitest-config";

export default packageProject("protocol", {
  // The message typing is tested by the compiler: *.test-d.ts files.
  typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.test.json" },
});
