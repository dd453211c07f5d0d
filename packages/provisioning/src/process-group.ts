import { readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Process groups of live non-independent kernels: SIGKILLed when this Node process exits. */
const owned = new Set<number>();
let hooked = false;

function killOwnedGroups(): void {
  for (const pgid of owned) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  owned.clear();
}

/**
 * Remembers a kernel's process group so that it is SIGKILLed when this
 * process exits (normally or through `process.exit()`): a non-independent
 * kernel must not outlive its manager. Signals that kill Node itself skip
 * `'exit'` handlers; there the kernel's own parent watch (`JPY_PARENT_PID`)
 * is what ends it.
 */
export function ownProcessGroup(pgid: number): void {
  owned.add(pgid);
  if (!hooked) {
    hooked = true;
    process.on("exit", killOwnedGroups);
  }
}

/** Stops tracking a process group (it is gone or was cleaned up). */
export function disownProcessGroup(pgid: number): void {
  owned.delete(pgid);
}

/**
 * Whether a live (non-zombie) member is in the group, from /proc on Linux;
 * undefined without procfs.
 */
function liveMemberInProc(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

/**
 * Whether any process is left in the group. Zombies do not count where
 * /proc tells them apart: orphans of a kernel wait for init to reap them,
 * which some inits do only every second or so.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: a member exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return process.platform === "linux" ? (liveMemberInProc(pgid) ?? true) : true;
}

/** Sends a signal to a process group; false when the group is gone (ESRCH). */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  // No event tells when the last member of a group is gone: check often, briefly.
  const deadline = Date.now() + timeoutMs;
  let step = 5;
  while (processGroupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(step);
    step = Math.min(step * 2, 50);
  }
  return true;
}

/**
 * Ends every process left in a group: SIGTERM, up to `graceMs` for them to
 * go, then SIGKILL. Resolves true when the group is empty. Members that are
 * zombies waiting for a reaper (an init that does not reap) still count, so
 * the result may be false although nothing runs.
 */
export async function killProcessGroup(pgid: number, graceMs = 1000): Promise<boolean> {
  if (!signalProcessGroup(pgid, "SIGTERM")) return true;
  if (await waitGroupGone(pgid, graceMs)) return true;
  if (!signalProcessGroup(pgid, "SIGKILL")) return true;
  return waitGroupGone(pgid, graceMs);
}
