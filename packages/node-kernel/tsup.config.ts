import { defineBuild } from "@jupyter-ts/build-config";
import { defineConfig } from "tsup";

// main.ts is the kernel program that kernel.json starts (`node dist/main.js -f ...`).
export default defineConfig(defineBuild({ entry: ["src/index.ts", "src/main.ts"] }));
