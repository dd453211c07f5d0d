// Plain JavaScript on purpose: tsup loads this file while bundling each
// package's tsup.config.ts and treats workspace packages as external, so it
// must run on Node 20 without a TypeScript loader.

/**
 * The one build every published package uses: ESM only, d.ts, sourcemaps,
 * Node 20 syntax (or ES2022 for the browser-safe packages).
 *
 * @param {import("./index.d.ts").BuildOptions} [options]
 * @returns {import("tsup").Options}
 */
export function defineBuild(options = {}) {
  const { entry = ["src/index.ts"], platform = "node", ...rest } = options;
  return {
    entry,
    format: ["esm"],
    platform,
    target: platform === "browser" ? "es2022" : "node20",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    outDir: "dist",
    ...rest,
  };
}
