"""Drives a jupyter-ts kernel with Python's jupyter_client (BlockingKernelClient).

Usage: python3 python_client.py CONNECTION_FILE
Prints one JSON object with what it observed; the TypeScript test checks it.
"""
import json
import sys
import time
import uuid

from jupyter_client import BlockingKernelClient

T = 20


def iopub_until_idle(kc, msg_id):
    msgs = []
    while True:
        msg = kc.get_iopub_msg(timeout=T)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs


def main(connection_file):
    out = {}
    kc = BlockingKernelClient(connection_file=connection_file)
    kc.load_connection_file()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)

    info = kc.kernel_info(reply=True, timeout=T)
    out["kernel_info"] = info["content"]

    streams = []
    reply = kc.execute_interactive(
        "hello from python",
        output_hook=lambda m: streams.append(m["content"]) if m["msg_type"] == "stream" else None,
        timeout=T,
    )
    out["execute"] = {"reply": reply["content"], "streams": streams}

    # Comms: open one to the kernel's "echo" target and talk to it.
    comm_id = uuid.uuid4().hex
    kc.shell_channel.send(kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "echo", "data": {"x": 1}}))
    msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"y": 2}})
    kc.shell_channel.send(msg)
    comm_data = []
    deadline = time.time() + T
    while len(comm_data) < 2 and time.time() < deadline:
        m = kc.get_iopub_msg(timeout=T)
        if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id:
            comm_data.append(m["content"]["data"])
    out["comm"] = comm_data
    out["comm_info"] = kc.comm_info(reply=True, timeout=T)["content"]
    kc.shell_channel.send(kc.session.msg("comm_close", {"comm_id": comm_id, "data": {}}))
    out["comm_info_after_close"] = kc.comm_info(reply=True, timeout=T)["content"]

    # stdin
    prompts = []

    def stdin_hook(m):
        prompts.append(m["content"])
        kc.input("Grace")

    streams = []
    reply = kc.execute_interactive(
        "input:Who? ",
        stdin_hook=stdin_hook,
        output_hook=lambda m: streams.append(m["content"]) if m["msg_type"] == "stream" else None,
        timeout=T,
    )
    out["input"] = {"prompts": prompts, "streams": streams, "reply": reply["content"]}

    # Blocking user code: the heartbeat keeps beating, interrupt_request stops it.
    busy_id = kc.execute("busy")
    beats = []
    for _ in range(5):
        time.sleep(0.6)
        beats.append(kc.hb_channel.is_beating())
    out["beating_while_blocked"] = beats
    kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    out["interrupt_reply"] = kc.get_control_msg(timeout=T)["content"]
    while True:
        m = kc.get_shell_msg(timeout=T)
        if m["parent_header"].get("msg_id") == busy_id:
            out["busy_reply"] = m["content"]
            break
    out["after_interrupt"] = kc.execute("still here", reply=True, timeout=T)["content"]

    # Subshells over control.
    kc.control_channel.send(kc.session.msg("create_subshell_request", {}))
    out["create_subshell"] = kc.get_control_msg(timeout=T)["content"]

    kc.shutdown()  # on control, as jupyter_client 7 sends it
    out["shutdown_reply"] = kc.get_control_msg(timeout=T)["content"]
    kc.stop_channels()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
