import { defineBuild } from "@jupyter-ts/build-config";
import { defineConfig } from "tsup";

// index.ts re-exports every package; cli.ts is the bin.
export default defineConfig(defineBuild({ entry: ["src/index.ts", "src/cli.ts"] }));
