import { Emitter } from "@jupyter-ts/client";
import type { KernelProvisionerBase } from "@jupyter-ts/provisioning";
import { defaultLogger, type ManagerLogger } from "./logger.js";

/** Options of {@link KernelRestarter} (the `restarter` option of `KernelManager`). All durations in ms. */
export interface KernelRestarterOptions {
  /**
   * How long a kernel stays dead before it is restarted; default 1000.
   * Python polls `is_alive` every `time_to_dead` (3 s), so it notices a death
   * 0-3 s late; here the exit is seen at once and this is the grace period
   * (it lets a shutdown that is on its way mark itself first).
   */
  timeToDead?: number;
  /**
   * How long a kernel must live to count as started; default 10000 (the
   * provisioner may change it with `getStableStartTime`). A death within
   * this time after a restart counts towards {@link restartLimit}.
   */
  stableStartTime?: number;
  /** Consecutive restarts (each dying before `stableStartTime`) before giving up with `dead`; default 5. */
  restartLimit?: number;
  /** Pick new ports on restart until the kernel has lived `stableStartTime` once; default true. */
  randomPortsUntilAlive?: boolean;
  /**
   * Also ask `isAlive()` this often, for provisioners whose `wait()` cannot
   * see an exit as it happens; default 0 (off: `wait()` only).
   */
  pollInterval?: number;
  /** Where restarts and the final failure are logged; default the manager's logger. */
  logger?: ManagerLogger;
}

/** Events of {@link KernelRestarter} (also emitted by `KernelManager`). */
export interface KernelRestarterEvents extends Record<string, unknown[]> {
  /** The kernel died and is being restarted: attempt `attempt` of `limit` (Python's `restart` callback). */
  restart: [attempt: number, limit: number];
  /** The kernel died more than `restartLimit` times in a row: it is left dead (Python's `dead` callback). */
  dead: [];
}

/** What the restarter needs of a kernel manager. */
export interface RestartableKernel {
  readonly provisioner: KernelProvisionerBase | undefined;
  /** True while a shutdown asked for by the user runs: a death then is not restarted. */
  readonly shuttingDown: boolean;
  isAlive(): Promise<boolean>;
  /**
   * Restarts without touching the restarter's own state (the manager's
   * internal restart); the manager's `ready` must be the restart's by the
   * time this returns its promise.
   */
  autorestart(options: { newports: boolean }): Promise<void>;
}

/**
 * Watches a kernel and restarts it when it dies on its own (Python's
 * `KernelRestarter`). Event driven: it waits on the provisioner's `wait()`,
 * it does not poll (unless `pollInterval` asks it to). A kernel shut down on
 * purpose is never restarted.
 *
 * `KernelManager` makes one when `autorestart` is on (the default); use its
 * `restart` and `dead` events rather than this class.
 *
 * @example
 * const km = new KernelManager({ restarter: { restartLimit: 3, timeToDead: 500 } });
 * km.on("restart", (attempt, limit) => console.log(`kernel died, restart ${attempt}/${limit}`));
 * km.on("dead", () => console.log("kernel keeps dying; gave up"));
 * await km.startKernel();
 */
export class KernelRestarter extends Emitter<KernelRestarterEvents> {
  /** ms a dead kernel stays dead before it is restarted. */
  readonly timeToDead: number;
  /** ms a kernel must live to count as started (before the provisioner's say). */
  readonly stableStartTime: number;
  /** Restarts in a row before giving up. */
  readonly restartLimit: number;
  /** New ports on restart until the kernel has lived `stableStartTime` once. */
  readonly randomPortsUntilAlive: boolean;
  /** ms between `isAlive()` checks; 0: none (the provisioner's `wait()` only). */
  readonly pollInterval: number;

  readonly #kernel: RestartableKernel;
  readonly #logger: ManagerLogger;
  #running = false;
  /** Bumped on every start/stop: callbacks of an older watch do nothing. */
  #generation = 0;
  #restarting = false;
  #restartCount = 0;
  #initialStartup = true;
  #lastDead = performance.now();
  #stableTimer: ReturnType<typeof setTimeout> | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;

  constructor(kernel: RestartableKernel, options: KernelRestarterOptions = {}) {
    super();
    this.#kernel = kernel;
    this.timeToDead = options.timeToDead ?? 1000;
    this.stableStartTime = options.stableStartTime ?? 10_000;
    this.restartLimit = options.restartLimit ?? 5;
    this.randomPortsUntilAlive = options.randomPortsUntilAlive ?? true;
    this.pollInterval = options.pollInterval ?? 0;
    this.#logger = options.logger ?? defaultLogger;
  }

  /** Whether it is watching. */
  get running(): boolean {
    return this.#running;
  }

  /** Restarts in a row so far (0 when the last restart held). */
  get restartCount(): number {
    return this.#restartCount;
  }

  /** Starts watching the manager's current kernel (again). Counters survive a stop/start, as in Python. */
  start(): void {
    this.#clearTimers();
    this.#running = true;
    const generation = ++this.#generation;
    const provisioner = this.#kernel.provisioner;
    if (!provisioner) return;
    provisioner.wait().then(
      () => this.#onExit(generation),
      (error: unknown) => this.#logger.warn(`jupyter-ts restarter: waiting on the kernel failed: ${String(error)}`),
    );
    const stable = provisioner.getStableStartTime(this.stableStartTime);
    const left = Math.max(0, this.#lastDead + stable - performance.now());
    this.#stableTimer = setTimeout(() => this.#onStable(generation, stable), left);
    this.#stableTimer.unref();
    if (this.pollInterval > 0) {
      this.#pollTimer = setInterval(() => {
        this.#kernel.isAlive().then(
          (alive) => {
            if (!alive) this.#onExit(generation);
          },
          () => undefined,
        );
      }, this.pollInterval);
      this.#pollTimer.unref();
    }
  }

  /** Stops watching; a death seen before and not yet acted on is dropped. */
  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#clearTimers();
  }

  #clearTimers(): void {
    clearTimeout(this.#stableTimer);
    clearTimeout(this.#deadTimer);
    clearInterval(this.#pollTimer);
    this.#stableTimer = this.#deadTimer = this.#pollTimer = undefined;
  }

  // Python's "alive" branch: the kernel lived stableStartTime since its last death.
  #onStable(generation: number, stable: number): void {
    if (generation !== this.#generation) return;
    const left = this.#lastDead + stable - performance.now();
    if (left > 0) {
      // a timer may fire a little early
      this.#stableTimer = setTimeout(() => this.#onStable(generation, stable), Math.ceil(left));
      this.#stableTimer.unref();
      return;
    }
    this.#initialStartup = false;
    if (this.#restarting) this.#logger.debug?.("jupyter-ts restarter: the restart held");
    this.#restarting = false;
  }

  #onExit(generation: number): void {
    if (generation !== this.#generation || !this.#running || this.#deadTimer !== undefined) return;
    if (this.#kernel.shuttingDown) return;
    clearTimeout(this.#stableTimer);
    clearInterval(this.#pollTimer);
    this.#scheduleDead(generation);
  }

  #scheduleDead(generation: number): void {
    this.#deadTimer = setTimeout(() => {
      this.#deadTimer = undefined;
      if (generation === this.#generation) void this.#onDead(generation);
    }, this.timeToDead);
  }

  async #onDead(generation: number): Promise<void> {
    const alive = await this.#kernel.isAlive();
    if (generation !== this.#generation || this.#kernel.shuttingDown) return;
    if (alive) {
      this.start();
      return;
    }
    this.#lastDead = performance.now();
    this.#restartCount = this.#restarting ? this.#restartCount + 1 : 1;
    if (this.#restartCount > this.restartLimit) {
      this.#logger.warn(`jupyter-ts restarter: the kernel died ${this.#restartCount} times in a row; giving up (restartLimit ${this.restartLimit})`);
      this.#restarting = false;
      this.#restartCount = 0;
      this.stop();
      this.#fire("dead");
      return;
    }
    const newports = this.randomPortsUntilAlive && this.#initialStartup;
    this.#logger.info?.(
      `jupyter-ts restarter: the kernel died; restarting it (${this.#restartCount}/${this.restartLimit}), ${newports ? "new" : "same"} ports`,
    );
    // A death of the new kernel before it has lived stableStartTime counts as one more in a row.
    this.#restarting = true;
    // The manager's restart calls stop() and start() on this restarter. It
    // is called before the event so that listeners see the new `ready`.
    const restarted = this.#kernel.autorestart({ newports });
    this.#fire("restart", this.#restartCount, this.restartLimit);
    try {
      await restarted;
    } catch (error) {
      this.#logger.warn(`jupyter-ts restarter: restarting the kernel failed: ${String(error)}`);
      // Failing to start is one more death, unless the kernel was shut down meanwhile.
      if (this.#kernel.shuttingDown) return;
      this.#clearTimers();
      this.#running = true;
      this.#scheduleDead(++this.#generation);
    }
  }

  #fire<E extends keyof KernelRestarterEvents>(event: E, ...args: KernelRestarterEvents[E]): void {
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.#logger.warn(`jupyter-ts restarter: a ${String(event)} listener threw: ${String(error)}`);
    }
  }
}
