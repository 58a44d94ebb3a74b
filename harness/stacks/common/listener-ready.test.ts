import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { allocateEndpoint } from "../../core/network.js";
import { isListening } from "./listener-ready.js";

describe("isListening", () => {
  it("sees a socket listen on its 127.x.y.z endpoint, and not after it closed", async () => {
    const endpoint = await allocateEndpoint();
    expect(await isListening(endpoint)).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(endpoint.port, endpoint.host, resolve));
    expect(await isListening(endpoint)).toBe(true);
    expect(await isListening({ ...endpoint, port: endpoint.port === 65535 ? 1 : endpoint.port + 1 })).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isListening(endpoint)).toBe(false);
  });
});
