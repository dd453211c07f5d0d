import { Dealer, Request } from "zeromq";
const d = new Dealer(); d.connect("tcp://127.0.0.1:5999");
const p = d.receive().then(()=>console.log("got"), (e)=>console.log("closed err", e.code, e.errno, e.message));
setTimeout(()=>d.close(), 50);
await p;
const r = new Request({receiveTimeout: 100, sendTimeout: 100}); r.connect("tcp://127.0.0.1:5998");
try { await r.send("ping"); console.log("sent"); await r.receive(); } catch (e) { console.log("req err", e.code, e.message); }
try { await r.send("ping"); } catch (e) { console.log("req2 err", e.code, e.message); }
r.close();
