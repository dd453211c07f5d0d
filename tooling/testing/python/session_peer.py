"""A driver for the real jupyter_client.session.Session, for differential tests
and benchmarks. Reads one JSON request per line on stdin, writes one JSON
answer per line on stdout. Binary data travels as base64.

Requests: {"id": n, "op": ..., ...}
  session      name, key (b64), scheme, [session]   -> {}
  serialize    name, msg, [buffers], [ident]          -> {"frames": [b64]}
  deserialize  name, frames (b64, with idents), [content] -> {"msg": ...} | {"error": {...}}
  sign         name, parts                            -> {"signature": str}
  msg          name, msg_type, [content], [parent]    -> {"msg": ...}
  adapt        msg, to                                -> {"msg": ...} (jupyter_client.adapter)
  bench        see run_bench                          -> {"results": {...}}
"""
import base64
import json
import sys
import time
from datetime import datetime

from jupyter_client.session import Session

sessions = {}


def b64d(s):
    return base64.b64decode(s)


def b64e(b):
    return base64.b64encode(bytes(b)).decode("ascii")


def default(obj):
    if isinstance(obj, datetime):
        return obj.isoformat().replace("+00:00", "Z")
    if isinstance(obj, (bytes, memoryview)):
        return b64e(obj)
    raise TypeError(repr(obj))


def to_json_msg(msg, content_is_bytes=False):
    out = {
        "header": msg["header"],
        "parent_header": msg["parent_header"],
        "metadata": msg["metadata"],
        "content": b64e(msg["content"]) if content_is_bytes else msg["content"],
        "buffers": [b64e(b) for b in msg.get("buffers", [])],
    }
    if "msg_id" in msg:
        out["msg_id"] = msg["msg_id"]
        out["msg_type"] = msg["msg_type"]
    return out


def op_session(req):
    kwargs = {"key": b64d(req["key"]), "signature_scheme": req.get("scheme", "hmac-sha256")}
    if req.get("session"):
        kwargs["session"] = req["session"]
    if req.get("username"):
        kwargs["username"] = req["username"]
    sessions[req["name"]] = Session(**kwargs)
    return {}


def op_serialize(req):
    s = sessions[req["name"]]
    ident = [b64d(i) for i in req.get("ident", [])] or None
    frames = s.serialize(req["msg"], ident=ident)
    frames.extend(b64d(b) for b in req.get("buffers", []))
    return {"frames": [b64e(f) for f in frames]}


def op_deserialize(req):
    s = sessions[req["name"]]
    frames = [b64d(f) for f in req["frames"]]
    content = req.get("content", True)
    try:
        idents, rest = s.feed_identities(frames)
        msg = s.deserialize(rest, content=content)
    except Exception as e:  # the class and text are what the test compares
        return {"error": {"type": type(e).__name__, "message": str(e)}}
    return {"msg": to_json_msg(msg, content_is_bytes=not content), "idents": [b64e(i) for i in idents]}


def op_sign(req):
    s = sessions[req["name"]]
    return {"signature": s.sign([b64d(p) for p in req["parts"]]).decode("ascii")}


def op_msg(req):
    s = sessions[req["name"]]
    msg = s.msg(req["msg_type"], content=req.get("content"), parent=req.get("parent"))
    return {"msg": to_json_msg(msg)}


def op_adapt(req):
    from jupyter_client.adapter import adapt

    msg = adapt(req["msg"], req["to"])
    return {"msg": msg}


def run_bench(req):
    """Times Python's Session on the same inputs as the Node side."""
    key = b64d(req["key"])
    s = Session(key=key, signature_scheme=req.get("scheme", "hmac-sha256"))
    results = {}
    budget = req.get("seconds", 1.0)
    for case in req["cases"]:
        msg = case["msg"]
        buffers = [b64d(b) for b in case.get("buffers", [])]
        name = case["name"]

        def ser():
            frames = s.serialize(msg)
            frames.extend(buffers)
            return frames

        if case["op"] == "serialize":
            fn = ser
        else:
            frames = ser()
            _, rest = s.feed_identities(frames)
            # Replay protection would reject repeats: time with a fresh
            # digest history each call, as a stream of distinct messages.
            def fn(rest=rest):
                s.digest_history.clear()
                return s.deserialize(rest)

        for _ in range(50):
            fn()
        n = 0
        start = time.perf_counter()
        deadline = start + budget
        while True:
            for _ in range(100):
                fn()
            n += 100
            now = time.perf_counter()
            if now >= deadline:
                break
        results[name] = n / (now - start)
    return {"results": results}


OPS = {
    "session": op_session,
    "serialize": op_serialize,
    "deserialize": op_deserialize,
    "sign": op_sign,
    "msg": op_msg,
    "bench": run_bench,
    "adapt": op_adapt,
}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            out = OPS[req["op"]](req)
        except Exception as e:
            out = {"fatal": f"{type(e).__name__}: {e}"}
        out["id"] = req.get("id")
        sys.stdout.write(json.dumps(out, default=default) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
