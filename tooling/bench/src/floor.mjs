// The floor of a request/reply over zeromq on this machine, measured in the
// same run as the suites that compare against it.
import { Session } from "@jupyter-ts/session";
import { Dealer, Router } from "zeromq";

/**
 * Round-trip times (ms) of a signed kernel_info_request over a raw
 * DEALER/ROUTER pair echoing it back: no kernel, no client, only zeromq.
 */
export async function rawPingPong(n) {
  const router = new Router({ linger: 0 });
  await router.bind("tcp://127.0.0.1:0");
  const dealer = new Dealer({ linger: 0 });
  dealer.connect(router.lastEndpoint);
  const session = new Session({ key: "k" });
  const frames = session.serialize(session.msg("kernel_info_request"));
  const echo = (async () => {
    for (;;) {
      const msg = await router.receive().catch(() => undefined);
      if (!msg) return;
      await router.send(msg);
    }
  })();
  const times = [];
  for (let i = 0; i < n + 50; i++) {
    const t = performance.now();
    await dealer.send(frames);
    await dealer.receive();
    if (i >= 50) times.push(performance.now() - t);
  }
  dealer.close();
  router.close();
  await echo;
  return times;
}
