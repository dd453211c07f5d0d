#!/usr/bin/env node
// `pnpm bench <suite>`: runs our implementation and the Python reference on
// the same inputs in one run and prints ops/s side by side with the ratio.
// Benchmarks, not tests: timings on a shared machine are reported, not asserted.
import { argv, exit } from "node:process";

const suites = {
  session: () => import("./suites/session.mjs"),
  client: () => import("./suites/client.mjs"),
  manager: () => import("./suites/manager.mjs"),
  "node-kernel": () => import("./suites/node-kernel.mjs"),
};

const [name, ...flags] = argv.slice(2);
if (!name || !suites[name]) {
  console.error(`usage: pnpm bench <suite> [--seconds N] [--json]\nsuites: ${Object.keys(suites).join(", ")}`);
  exit(2);
}
const secondsFlag = flags.indexOf("--seconds");
const options = {
  seconds: secondsFlag >= 0 ? Number(flags[secondsFlag + 1]) : 1,
  json: flags.includes("--json"),
};
const suite = await suites[name]();
await suite.run(options);
