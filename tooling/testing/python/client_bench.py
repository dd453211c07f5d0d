"""Times Python's jupyter_client BlockingKernelClient, for tooling/bench.

usage: client_bench.py roundtrip CONNECTION_FILE N
       client_bench.py iopub CONNECTION_FILE EXPECTED
Prints one JSON object on stdout.
"""
import json
import sys
import time

from jupyter_client import BlockingKernelClient


def roundtrip(fname, n):
    kc = BlockingKernelClient()
    kc.load_connection_file(fname)
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    for _ in range(30):
        msg_id = kc.execute("pass")
        kc._recv_reply(msg_id, timeout=10)
    while True:
        try:
            kc.get_iopub_msg(timeout=0.5)
        except Exception:
            break
    info = []
    for _ in range(n):
        t = time.perf_counter()
        kc.kernel_info(reply=True, timeout=10)
        info.append((time.perf_counter() - t) * 1000)
    execute = []
    for _ in range(n):
        t = time.perf_counter()
        msg_id = kc.execute("pass")
        kc._recv_reply(msg_id, timeout=10)
        while True:
            m = kc.get_iopub_msg(timeout=10)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        execute.append((time.perf_counter() - t) * 1000)
    kc.stop_channels()
    return {"kernel_info_ms": info, "execute_ms": execute}


def iopub(fname, expected):
    kc = BlockingKernelClient()
    kc.load_connection_file(fname)
    kc.start_channels(shell=False, stdin=False, hb=False, control=False)
    print(json.dumps({"ready": True}), flush=True)
    count = 0
    first = last = None
    while count < expected:
        try:
            kc.get_iopub_msg(timeout=3)
        except Exception:
            break
        last = time.perf_counter()
        if first is None:
            first = last
        count += 1
    kc.stop_channels()
    span = (last - first) if first is not None and last != first else None
    return {"received": count, "seconds": span}


if __name__ == "__main__":
    mode, fname, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = roundtrip(fname, n) if mode == "roundtrip" else iopub(fname, n)
    print(json.dumps(out), flush=True)
