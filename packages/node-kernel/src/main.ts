#!/usr/bin/env node
// The JavaScript kernel program, as kernel.json starts it: `node dist/main.js -f {connection_file}`.
import { serveKernel } from "@jupyter-ts/kernel";
import { NodeKernel } from "./node-kernel.js";

await serveKernel((options) => new NodeKernel(options));
