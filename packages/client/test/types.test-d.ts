import { describe, expectTypeOf, it } from "vitest";
import type { Message } from "@jupyter-ts/session";
import type { KernelClient, RequestHandle } from "../src/index.js";

declare const kc: KernelClient;

describe("request result types", () => {
  it("follow the options", () => {
    expectTypeOf(kc.execute("1")).toEqualTypeOf<string>();
    expectTypeOf(kc.execute("1", { timeout: 5 })).toEqualTypeOf<string>();
    expectTypeOf(kc.execute("1", { reply: true })).toEqualTypeOf<Promise<Message<"execute_reply">>>();
    expectTypeOf(kc.complete("x", { handle: true })).toEqualTypeOf<RequestHandle<"complete_request">>();
    expectTypeOf(kc.shutdown({ restart: true, reply: true })).toEqualTypeOf<Promise<Message<"shutdown_reply">>>();
    const flag: boolean = Math.random() > 0.5;
    expectTypeOf(kc.kernelInfo({ reply: flag })).toEqualTypeOf<
      string | Promise<Message<"kernel_info_reply">> | RequestHandle<"kernel_info_request">
    >();
  });
});
