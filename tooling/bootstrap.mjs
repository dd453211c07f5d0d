#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) land here. A fresh
// machine has Node and npm but not pnpm, so this finds or installs pnpm 10,
// installs the workspace, then runs the job. No global state is changed:
// pnpm goes into .cache/pnpm inside the checkout when it is not on PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PNPM_VERSION = "10.34.9";
const [job = "test", ...rest] = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function findPnpm() {
  const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.startsWith("10.")) return "pnpm";
  const local = join(root, ".cache", "pnpm", "node_modules", ".bin", "pnpm");
  if (existsSync(local)) return local;
  console.error(`[jupyter-ts] pnpm ${PNPM_VERSION} not found; installing it into .cache/pnpm`);
  const code = run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error",
    "--prefix", join(root, ".cache", "pnpm"), `pnpm@${PNPM_VERSION}`]);
  if (code !== 0 || !existsSync(local)) {
    console.error("[jupyter-ts] could not install pnpm with npm; install it yourself (npm i -g pnpm@10) and retry");
    process.exit(1);
  }
  return local;
}

const pnpm = findPnpm();
// turbo looks pnpm up on PATH: put the local copy there for every child.
if (pnpm !== "pnpm") process.env.PATH = `${dirname(pnpm)}${delimiter}${process.env.PATH ?? ""}`;
const installArgs = ["install", process.env.CI ? "--frozen-lockfile" : "--prefer-offline"];
if (run(pnpm, installArgs) !== 0) process.exit(1);

const jobs = {
  start: ["run", "demo", ...rest],
  test: ["run", "test:run", ...rest],
  bench: ["run", "bench", ...rest],
  check: ["run", "check", ...rest],
};
if (!jobs[job]) {
  console.error(`[jupyter-ts] unknown job '${job}'; use one of: ${Object.keys(jobs).join(", ")}`);
  process.exit(2);
}
process.exit(run(pnpm, jobs[job]));
