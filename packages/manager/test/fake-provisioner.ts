// A provisioner without a process: a simulated kernel whose reactions to
// shutdown requests and signals come from the kernelspec's provisioner
// config. It lets the unit tests drive every path of the manager quickly.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionInfo } from "@jupyter-ts/connection";
import { KernelSpecManager } from "@jupyter-ts/kernelspec";
import {
  KernelProvisionerBase,
  KernelProvisionerFactory,
  type LaunchOptions,
  type PreLaunchOptions,
  type PreLaunchResult,
  type RestartOptions,
} from "@jupyter-ts/provisioning";

/** What the simulated kernel does; set per kernelspec in `metadata.kernel_provisioner.config`. */
export interface FakeBehaviour {
  /** Which step makes it exit: the shutdown request (default), SIGTERM, or only SIGKILL. */
  exitOn?: "request" | "sigterm" | "sigkill";
  /** ms between the step and the exit; default 10. */
  exitDelay?: number;
  /** It exits on its own this many ms after each launch (status 1). */
  diesAfter?: number;
  /** launchKernel rejects with this message. */
  launchFails?: string;
  /** launchKernel takes this long (ms). */
  launchDelay?: number;
}

/** Every provisioner made, in order, for the tests to inspect. */
export const made: FakeProvisioner[] = [];

export class FakeProvisioner extends KernelProvisionerBase {
  /** Everything the manager did to it, in order: "preLaunch", "launch", "signal:SIGINT", "shutdownRequested", "cleanup:restart", ... */
  readonly calls: string[] = [];
  readonly launches: Array<{ cmd: string[]; options: LaunchOptions; ports: number[] }> = [];
  #running = false;
  #launched = false;
  #status: number | null = null;
  #exit: { promise: Promise<number>; resolve(status: number): void } | undefined;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(...args: ConstructorParameters<typeof KernelProvisionerBase>) {
    super(...args);
    made.push(this);
  }

  get behaviour(): FakeBehaviour {
    return this.config as FakeBehaviour;
  }

  get hasProcess(): boolean {
    return this.#launched;
  }

  get running(): boolean {
    return this.#running;
  }

  async poll(): Promise<number | null> {
    return this.#running ? null : (this.#status ?? 0);
  }

  async wait(): Promise<number | null> {
    if (!this.#launched || !this.#exit) return this.#status ?? 0;
    const status = await this.#exit.promise;
    this.#launched = false;
    return status;
  }

  /** The simulated process ends with `status`. */
  die(status: number): void {
    if (!this.#running) return;
    this.#running = false;
    this.#status = status;
    this.calls.push(`exit:${status}`);
    this.#exit?.resolve(status);
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  async sendSignal(signal: NodeJS.Signals | number): Promise<void> {
    this.calls.push(`signal:${String(signal)}`);
    if (!this.#running) return;
    const delay = this.behaviour.exitDelay ?? 10;
    if (signal === "SIGKILL") this.#later(1, () => this.die(-9));
    else if (signal === "SIGTERM" && this.behaviour.exitOn !== "sigkill") this.#later(delay, () => this.die(-15));
  }

  async kill(_options?: RestartOptions): Promise<void> {
    await this.sendSignal("SIGKILL");
  }

  async terminate(_options?: RestartOptions): Promise<void> {
    await this.sendSignal("SIGTERM");
  }

  override async shutdownRequested(options?: RestartOptions): Promise<void> {
    this.calls.push(`shutdownRequested${options?.restart ? ":restart" : ""}`);
    const exitOn = this.behaviour.exitOn ?? "request";
    if (exitOn === "request" && this.#running) this.#later(this.behaviour.exitDelay ?? 10, () => this.die(0));
  }

  override async preLaunch(options: PreLaunchOptions = {}): Promise<PreLaunchResult> {
    this.calls.push("preLaunch");
    const base = await super.preLaunch(options);
    await this.parent.writeConnectionFile();
    this.connectionInfo = this.parent.getConnectionInfo();
    return base;
  }

  async launchKernel(cmd: string[], options: LaunchOptions): Promise<ConnectionInfo> {
    this.calls.push("launch");
    if (this.behaviour.launchDelay) await new Promise((r) => setTimeout(r, this.behaviour.launchDelay));
    if (this.behaviour.launchFails) throw new Error(this.behaviour.launchFails);
    this.launches.push({ cmd, options, ports: this.parent.ports });
    this.#running = true;
    this.#launched = true;
    this.#status = null;
    let resolve!: (status: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    this.#exit = { promise, resolve };
    if (this.behaviour.diesAfter !== undefined) this.#later(this.behaviour.diesAfter, () => this.die(1));
    return this.parent.getConnectionInfo();
  }

  async cleanup(options: RestartOptions = {}): Promise<void> {
    this.calls.push(`cleanup${options.restart ? ":restart" : ""}`);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.die(-9);
    this.#launched = false;
    if (!options.restart) {
      await this.parent.cleanupRandomPorts();
      await this.parent.cleanupConnectionFile();
    }
  }
}

export interface FakeWorld {
  factory: KernelProvisionerFactory;
  ksm: KernelSpecManager;
  runtimeDir: string;
  remove(): Promise<void>;
}

/**
 * A factory with `fake` registered, and kernelspecs `fake-<name>` for each
 * behaviour (plus `fake` with the defaults) in a temp dir.
 */
export async function fakeWorld(behaviours: Record<string, FakeBehaviour & { interruptMode?: "signal" | "message" }> = {}): Promise<FakeWorld> {
  const root = await mkdtemp(join(tmpdir(), "jts-manager-fake-"));
  const runtimeDir = join(root, "runtime");
  await mkdir(runtimeDir);
  const all: Record<string, FakeBehaviour & { interruptMode?: "signal" | "message" }> = { fake: {}, ...behaviours };
  for (const [name, { interruptMode, ...behaviour }] of Object.entries(all)) {
    const dir = join(root, "kernels", name);
    await mkdir(dir, { recursive: true });
    const spec = {
      argv: ["fake-kernel", "-f", "{connection_file}"],
      display_name: name,
      language: "fake",
      interrupt_mode: interruptMode ?? "signal",
      metadata: { kernel_provisioner: { provisioner_name: "fake", config: behaviour } },
    };
    await writeFile(join(dir, "kernel.json"), JSON.stringify(spec));
  }
  const factory = new KernelProvisionerFactory({ searchFrom: root });
  factory.registerProvisioner("fake", FakeProvisioner);
  return {
    factory,
    ksm: new KernelSpecManager({ kernelDirs: [join(root, "kernels")] }),
    runtimeDir,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
