import type { Options } from "tsup";

export interface BuildOptions extends Omit<Options, "platform"> {
  /** `browser` for the packages that must not touch Node (protocol, comm). */
  platform?: "node" | "browser";
}

export declare function defineBuild(options?: BuildOptions): Options;
