export declare const PYTHON_SCRIPTS_DIR: string;
export declare const IN_CI: boolean;

export interface PythonKernelspec {
  file: string;
  resourceDir: string;
  spec: { argv: string[]; display_name: string; language: string; [key: string]: unknown };
}
export declare function findPythonKernelspec(): PythonKernelspec | undefined;

export interface JupyterPython {
  python: string;
  jupyterClientVersion: string;
}
export declare function findJupyterPython(): JupyterPython | undefined;

export declare function requirePeer<T>(peer: T | undefined, what: string, install: string): T | undefined;

export interface PythonSessionPeer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request(op: string, fields?: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}
export declare function startPythonSessionPeer(python: string): PythonSessionPeer;

export declare const b64: {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
};

/** A deterministic PRNG in [0, 1) for fuzz tests. */
export declare function seededRandom(seed: number): () => number;

export interface BuiltinImport {
  path: string;
  importer: string;
}
/** Bundles for the browser and lists the Node built-ins reached. */
export declare function bundleForBrowser(
  entry: string | { contents: string; resolveDir: string },
  options?: { globalName?: string },
): Promise<{ code: string; builtins: BuiltinImport[]; errors: unknown[] }>;

/** Bundles workspace TypeScript (source condition) into one ESM file for plain Node; zeromq stays external. */
export declare function bundleForNode(entry: string, outfile: string, options?: { sourcemap?: boolean }): Promise<string>;

/** SIGTERM, SIGKILL after `graceMs` (default 5000), resolves once the child has exited. */
export declare function stopChild(child: import("node:child_process").ChildProcess, options?: { graceMs?: number }): Promise<void>;

/** What {@link useKernelFixture} needs of a started kernel. */
export interface FixtureKernel<C> {
  client(): C;
  stderr(): string;
  stop(): Promise<void>;
}
/** What {@link useKernelFixture} needs of its client. */
export interface FixtureClient {
  startChannels(): Promise<unknown>;
  waitForReady(options: { timeout?: number }): Promise<unknown>;
  stopChannels(): Promise<unknown> | void;
}
/** One kernel and a ready client for a describe block (beforeAll/afterAll); read `.kernel`/`.kc` inside tests. */
export declare function useKernelFixture<K extends FixtureKernel<FixtureClient>>(
  start: () => Promise<K>,
  options?: { timeout?: number },
): { readonly kernel: K; readonly kc: ReturnType<K["client"]> };
