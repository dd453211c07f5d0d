/**
 * `jupyter-ts`: the whole Jupyter client stack for Node.js in one import:
 * protocol types, sessions, paths, connection files, kernelspecs,
 * provisioners, kernel managers, clients, comms, kernels written in
 * TypeScript, the JavaScript kernel, and the `jupyter-ts` command.
 *
 * Every name is the one of the package that defines it; this package only
 * re-exports (a test checks that nothing collides or goes missing).
 *
 * @example
 * import { startNewKernel } from "jupyter-ts";
 *
 * await using kernel = await startNewKernel({ kernelName: "python3" });
 * const reply = await kernel.kc.execute("1 + 1", { reply: true });
 * console.log(reply.content.status); // "ok"
 *
 * @packageDocumentation
 */
export * from "@jupyter-ts/protocol";
export * from "@jupyter-ts/session";
export * from "@jupyter-ts/paths";
export * from "@jupyter-ts/connection";
export * from "@jupyter-ts/kernelspec";
export * from "@jupyter-ts/provisioning";
export * from "@jupyter-ts/comm";
export * from "@jupyter-ts/client";
export * from "@jupyter-ts/manager";
export * from "@jupyter-ts/kernel";
export * from "@jupyter-ts/node-kernel";
export * from "@jupyter-ts/cli";
