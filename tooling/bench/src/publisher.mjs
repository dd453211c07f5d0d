// A fast signed IOPub publisher in its own process, for the iopub receive-rate
// benchmark: binds an XPUB socket, prints its port, waits for a subscriber,
// then publishes COUNT signed `stream` messages as fast as zeromq takes them.
import { Session } from "@jupyter-ts/session";
import { XPublisher } from "zeromq";

const [key, countText, hwmText] = process.argv.slice(2);
const count = Number(countText);
const session = new Session({ key });
// zeromq's default send high-water mark (1000) unless told otherwise, as kernels use.
const pub = new XPublisher({ linger: 5000, ...(hwmText === undefined ? {} : { sendHighWaterMark: Number(hwmText) }) });
await pub.bind("tcp://127.0.0.1:0");
console.log(JSON.stringify({ port: Number(pub.lastEndpoint.split(":").pop()) }));
await pub.receive(); // the subscription: a subscriber is connected
const parent = session.msg("execute_request", { content: { code: "for i in range(N): print(i)" } });
const sends = [];
for (let i = 0; i < count; i++) {
  sends.push(session.send(pub, "stream", { content: { name: "stdout", text: `line ${i}\n` }, parent }));
}
await Promise.all(sends);
console.log(JSON.stringify({ sent: count }));
// Stay until told to go, so queued messages are not cut off.
process.stdin.resume();
process.stdin.on("end", () => {
  pub.close();
  process.exit(0);
});
