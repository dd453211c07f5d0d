import { expectTypeOf, test } from "vitest";
import {
  MESSAGE_CHANNELS,
  isKnownMessageType,
  type Channel,
  type ChannelOf,
  type ContentOf,
  type ControlRequestType,
  type ExecuteReplyContent,
  type IopubMessageType,
  type JupyterMessage,
  type KnownMessageType,
  type MessageTypesOn,
  type ReplyContentOf,
  type ReplyType,
  type ReplyTypeOf,
  type RequestType,
  type RequestTypeOf,
  type ShellRequestType,
  type StdinMessageType,
  type StatusContent,
} from "../src/messages.js";
import { validateMessage } from "../src/validate.js";

test("requests and their replies", () => {
  expectTypeOf<ReplyTypeOf<"execute_request">>().toEqualTypeOf<"execute_reply">();
  expectTypeOf<ReplyTypeOf<"kernel_info_request">>().toEqualTypeOf<"kernel_info_reply">();
  expectTypeOf<ReplyTypeOf<"input_request">>().toEqualTypeOf<"input_reply">();
  expectTypeOf<ReplyTypeOf<"execute_request" | "complete_request">>().toEqualTypeOf<"execute_reply" | "complete_reply">();
  expectTypeOf<RequestTypeOf<"execute_reply">>().toEqualTypeOf<"execute_request">();
  expectTypeOf<RequestTypeOf<"list_subshell_reply">>().toEqualTypeOf<"list_subshell_request">();

  expectTypeOf<"kernel_info_request">().toExtend<RequestType>();
  expectTypeOf<"create_subshell_request">().toExtend<RequestType>();
  expectTypeOf<"status">().not.toExtend<RequestType>();
  expectTypeOf<"comm_msg">().not.toExtend<RequestType>();
  expectTypeOf<"execute_reply">().not.toExtend<RequestType>();
  expectTypeOf<"execute_reply">().toExtend<ReplyType>();
  expectTypeOf<"execute_request">().not.toExtend<ReplyType>();
  // Requests and replies pair up exactly.
  expectTypeOf<ReplyTypeOf<RequestTypeOf<ReplyType>>>().toEqualTypeOf<ReplyType>();
  expectTypeOf<Extract<RequestType, ReplyType>>().toBeNever();
});

test("channels", () => {
  expectTypeOf<ChannelOf<"comm_msg">>().toEqualTypeOf<"shell" | "iopub">();
  expectTypeOf<ChannelOf<"kernel_info_request">>().toEqualTypeOf<"shell" | "control">();
  expectTypeOf<ChannelOf<"stream">>().toEqualTypeOf<"iopub">();
  expectTypeOf<ChannelOf<"unknown_xyz">>().toEqualTypeOf<Channel>();

  expectTypeOf<StdinMessageType>().toEqualTypeOf<"input_request" | "input_reply">();
  expectTypeOf<"status" | "stream" | "comm_open" | "iopub_welcome" | "debug_event">().toExtend<IopubMessageType>();
  expectTypeOf<"execute_reply">().not.toExtend<IopubMessageType>();
  expectTypeOf<"execute_request" | "comm_info_request" | "kernel_info_request" | "shutdown_request">().toExtend<ShellRequestType>();
  expectTypeOf<"interrupt_request">().not.toExtend<ShellRequestType>();
  expectTypeOf<"interrupt_request" | "debug_request" | "kernel_info_request" | "create_subshell_request">().toExtend<ControlRequestType>();
  expectTypeOf<"execute_request">().not.toExtend<ControlRequestType>();
  expectTypeOf<MessageTypesOn<"control">>().toExtend<KnownMessageType>();
  expectTypeOf<"debug_reply">().toExtend<MessageTypesOn<"control">>();

  expectTypeOf(MESSAGE_CHANNELS.comm_msg).toEqualTypeOf<readonly Channel[]>();
  expectTypeOf(MESSAGE_CHANNELS).not.toHaveProperty("unknown_xyz");
});

test("contents", () => {
  expectTypeOf<ContentOf<"unknown_xyz">>().toEqualTypeOf<Record<string, unknown>>();
  expectTypeOf<ContentOf<"status">>().toEqualTypeOf<StatusContent>();
  expectTypeOf<ReplyContentOf<"execute_request">>().toEqualTypeOf<ExecuteReplyContent>();
  expectTypeOf<ContentOf<"stream">["name"]>().toEqualTypeOf<"stdout" | "stderr">();
  expectTypeOf<ContentOf<"status">["execution_state"]>().toExtend<string>();
  expectTypeOf<"dead">().toExtend<ContentOf<"status">["execution_state"]>();

  const reply = {} as ContentOf<"execute_reply">;
  if (reply.status === "ok") {
    expectTypeOf(reply.execution_count).toEqualTypeOf<number>();
    expectTypeOf(reply.user_expressions).toEqualTypeOf<Record<string, unknown>>();
  } else if (reply.status === "error") {
    expectTypeOf(reply.traceback).toEqualTypeOf<string[]>();
    expectTypeOf(reply.execution_count).toEqualTypeOf<number | undefined>();
  } else {
    expectTypeOf(reply).toEqualTypeOf<{ status: "aborted" }>();
  }

  const history = {} as ContentOf<"history_request">;
  if (history.hist_access_type === "range") expectTypeOf(history.start).toEqualTypeOf<number>();
  if (history.hist_access_type === "tail") expectTypeOf(history.n).toEqualTypeOf<number>();

  const complete = {} as ContentOf<"is_complete_reply">;
  if (complete.status === "incomplete") expectTypeOf(complete.indent).toEqualTypeOf<string>();

  expectTypeOf<ContentOf<"update_display_data">["transient"]["display_id"]>().toEqualTypeOf<string>();
  expectTypeOf<ContentOf<"comm_info_reply">>().toExtend<{ status: string }>();
  expectTypeOf<ContentOf<"list_subshell_reply"> & { status: "ok" }>().toHaveProperty("subshell_id").toEqualTypeOf<string[]>();
  // A union of types gives a union of contents.
  expectTypeOf<ContentOf<"comm_msg" | "comm_close">>().toEqualTypeOf<ContentOf<"comm_msg"> | ContentOf<"comm_close">>();
});

test("messages and run-time helpers", () => {
  expectTypeOf<JupyterMessage<"stream">["content"]>().toEqualTypeOf<ContentOf<"stream">>();
  expectTypeOf(validateMessage).returns.toEqualTypeOf<JupyterMessage>();
  expectTypeOf(validateMessage).parameter(1).toEqualTypeOf<{ channel?: Channel; strict?: boolean } | undefined>();

  const t = "status" as string;
  if (isKnownMessageType(t)) expectTypeOf(t).toEqualTypeOf<KnownMessageType>();

  // @ts-expect-error: only request types have replies.
  expectTypeOf<ReplyTypeOf<"status">>();
  // @ts-expect-error: not a channel.
  expectTypeOf<MessageTypesOn<"heartbeat">>();
});
