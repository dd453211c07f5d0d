import { packageProject } from "@jupyter-ts/vitest-config";

export default packageProject("jupyter-ts");
