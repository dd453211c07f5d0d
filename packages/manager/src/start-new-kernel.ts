import type { KernelClient, KernelClientOptions } from "@jupyter-ts/client";
import { KernelManager, type KernelManagerOptions, type StartKernelOptions } from "./kernel-manager.js";

/** Options of {@link startNewKernel} and {@link runKernel}: the manager's, the start's, and the wait. */
export interface StartNewKernelOptions extends KernelManagerOptions, Omit<StartKernelOptions, "kernelId"> {
  /** How long the kernel may take to answer, in ms; default 60000 (Python's `startup_timeout`). */
  startupTimeout?: number;
  /** Options of the client (heartbeat, queue size, logger). */
  client?: Omit<KernelClientOptions, "connectionInfo" | "connectionFile">;
}

/** A started kernel and a ready client: `await using` shuts both down. */
export interface StartedKernel extends AsyncDisposable {
  km: KernelManager;
  kc: KernelClient;
}

const START_KEYS = ["extraArguments", "env", "cwd", "independent", "launchArgs"] as const;

/**
 * Starts a kernel and waits until it answers (Python's
 * `start_new_kernel`): a {@link KernelManager}, its kernel, and a client with
 * its channels started and the kernel ready. When the kernel does not get
 * ready (it exits, or `startupTimeout` passes), everything is shut down
 * again before the error is thrown.
 *
 * @throws KernelStartError when the kernel exits before it is ready; KernelTimeoutError after `startupTimeout`.
 * @example
 * await using kernel = await startNewKernel({ kernelName: "python3", startupTimeout: 30_000 });
 * const reply = await kernel.kc.execute("6 * 7", { reply: true });
 * console.log(reply.content.status); // "ok"
 */
export async function startNewKernel(options: StartNewKernelOptions = {}): Promise<StartedKernel> {
  const { startupTimeout = 60_000, client: clientOptions, ...rest } = options;
  const managerOptions: KernelManagerOptions = { ...rest };
  const startOptions: StartKernelOptions = {};
  for (const key of START_KEYS) {
    if (rest[key] === undefined) continue;
    (startOptions as Record<string, unknown>)[key] = rest[key];
    delete (managerOptions as Record<string, unknown>)[key];
  }
  const km = new KernelManager(managerOptions);
  await km.startKernel(startOptions);
  const kc = km.client(clientOptions);
  try {
    // starts the channels once the kernel listens
    await km.waitForReady(kc, { timeout: startupTimeout });
  } catch (error) {
    await kc.stopChannels();
    await km.shutdownKernel({ now: true });
    throw error;
  }
  return {
    km,
    kc,
    async [Symbol.asyncDispose]() {
      await kc.stopChannels();
      await km.shutdownKernel();
    },
  };
}

/**
 * Runs `fn` with a ready client of a new kernel, then stops the client and
 * kills the kernel (Python's `run_kernel` context manager), whatever `fn`
 * did. Resolves with what `fn` returns.
 *
 * @example
 * const status = await runKernel(async (kc) => (await kc.execute("1 + 1", { reply: true })).content.status);
 */
export async function runKernel<T>(fn: (kc: KernelClient, km: KernelManager) => T | Promise<T>, options: StartNewKernelOptions = {}): Promise<T> {
  const { km, kc } = await startNewKernel(options);
  try {
    return await fn(kc, km);
  } finally {
    await kc.stopChannels();
    await km.shutdownKernel({ now: true });
  }
}
