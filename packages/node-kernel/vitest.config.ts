import { packageProject } from "@jupyter-ts/vitest-config";

// Kernel processes run the built dist/main.js: global-setup.ts builds it (cached by turbo).
export default packageProject("node-kernel", { globalSetup: ["test/global-setup.ts"], testTimeout: 60_000 });
