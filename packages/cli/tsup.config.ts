import { defineBuild } from "@jupyter-ts/build-config";
import { defineConfig } from "tsup";

// index.ts is the programmatic API (run a command in-process); cli.ts is the bin.
export default defineConfig(defineBuild({ entry: ["src/index.ts", "src/cli.ts"] }));
