import { packageProject } from "@jupyter-ts/vitest-config";

export default packageProject("demo", { testTimeout: 120_000 });
