// Full handshakes per second of the prober against one server for a fixed time. Prints {"rate": N}.
import { probeTls } from "../core/probe.js";

const [host, port, trust, serverName, seconds, concurrency] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
let handshakes = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (Date.now() < deadline) {
      // trust "-": no verification, like openssl s_time.
      const observation = await probeTls({ host: host!, port: Number(port) }, { trust: trust === "-" ? undefined : trust, serverName }, 5_000);
      if (observation.outcome !== "accepted") throw new Error(`failed to handshake: ${observation.outcome}`);
      handshakes++;
    }
  }),
);
process.stdout.write(JSON.stringify({ rate: handshakes / ((performance.now() - started) / 1000), handshakes }) + "\n");
