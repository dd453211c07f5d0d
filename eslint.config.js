import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Node built-ins that the browser-safe packages must never import.
const nodeBuiltins = [
  "assert", "buffer", "child_process", "cluster", "crypto", "dgram", "dns", "events", "fs",
  "fs/promises", "http", "http2", "https", "module", "net", "os", "path", "perf_hooks",
  "process", "readline", "stream", "string_decoder", "timers", "tls", "tty", "url", "util",
  "v8", "vm", "worker_threads", "zlib",
];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", ".cache/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='only']", message: "No focused tests." },
      ],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", performance: "readonly", URL: "readonly" },
    },
  },
  {
    // The browser-safe layer: no Node built-ins, no Buffer, no process.
    files: ["packages/protocol/src/**/*.ts", "packages/comm/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ group: ["node:*"], message: "This package is browser-safe: no Node built-ins." }],
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: "This package is browser-safe: no Node built-ins." })),
            { name: "zeromq", message: "This package is browser-safe: no native code." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "Buffer", message: "Use Uint8Array: this package is browser-safe." },
        { name: "process", message: "This package is browser-safe: no process." },
        { name: "require", message: "ESM only." },
      ],
    },
  },
);
