"""Times Python's jupyter_client AsyncKernelManager, for tooling/bench (suite `manager`).

usage: manager_bench.py lifecycle KERNELS_DIR N
         N times: start_kernel + client + wait_for_ready (start-to-ready),
         restart_kernel + wait_for_ready (restart-to-ready), shutdown_kernel
         (graceful shutdown); one untimed warm-up first.
       manager_bench.py ten KERNELS_DIR BATCHES
         BATCHES times: ten kernels started at once with AsyncMultiKernelManager,
         each with a client waiting for ready (time to all ready, failures), then
         shutdown_all (timed).
Prints one JSON object on stdout. Times in ms.
"""
import asyncio
import json
import sys
import time

from jupyter_client import AsyncKernelManager, AsyncMultiKernelManager
from jupyter_client.kernelspec import KernelSpecManager


def ms(t0):
    return (time.perf_counter() - t0) * 1000


async def lifecycle(kernels_dir, n):
    ksm = KernelSpecManager(kernel_dirs=[kernels_dir])
    start, restart, restart_call, shutdown = [], [], [], []
    for i in range(n + 1):
        km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ksm)
        t0 = time.perf_counter()
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        t_start = ms(t0)
        t0 = time.perf_counter()
        await km.restart_kernel()
        t_call = ms(t0)
        await kc.wait_for_ready(timeout=60)
        t_restart = ms(t0)
        kc.stop_channels()
        t0 = time.perf_counter()
        await km.shutdown_kernel()
        t_shutdown = ms(t0)
        if i > 0:  # the first round warms up
            start.append(t_start)
            restart.append(t_restart)
            restart_call.append(t_call)
            shutdown.append(t_shutdown)
    return {"start_ms": start, "restart_ms": restart, "restart_call_ms": restart_call, "shutdown_ms": shutdown}


async def ten(kernels_dir, batches):
    ksm = KernelSpecManager(kernel_dirs=[kernels_dir])
    ready, shutdown_all, failures, errors = [], [], 0, []
    for _ in range(batches):
        mkm = AsyncMultiKernelManager(default_kernel_name="python3", kernel_spec_manager=ksm)
        clients = []

        async def one():
            kid = await mkm.start_kernel()
            kc = mkm.get_kernel(kid).client()
            clients.append(kc)
            kc.start_channels()
            await kc.wait_for_ready(timeout=120)

        t0 = time.perf_counter()
        results = await asyncio.gather(*[one() for _ in range(10)], return_exceptions=True)
        ready.append(ms(t0))
        for r in results:
            if isinstance(r, BaseException):
                failures += 1
                errors.append(repr(r)[-700:])
        for kc in clients:
            kc.stop_channels()
        t0 = time.perf_counter()
        await mkm.shutdown_all()
        shutdown_all.append(ms(t0))
    return {"ready_ms": ready, "shutdown_all_ms": shutdown_all, "failures": failures, "errors": errors}


if __name__ == "__main__":
    mode, kernels_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = asyncio.run(lifecycle(kernels_dir, n) if mode == "lifecycle" else ten(kernels_dir, n))
    print(json.dumps(result), flush=True)
