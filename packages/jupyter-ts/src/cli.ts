#!/usr/bin/env node
// The `jupyter-ts` command, for those who install the umbrella package.
import { main } from "@jupyter-ts/cli";

process.exitCode = await main(process.argv.slice(2));
