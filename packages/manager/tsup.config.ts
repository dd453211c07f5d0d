import { defineBuild } from "@jupyter-ts/build-config";
import { defineConfig } from "tsup";

export default defineConfig(defineBuild());
