import { describe, expect, it } from "vitest";
import { sClientObservation } from "../stacks/openssl/adapter.js";
import { StreamOutput } from "./output.js";
import { runToCompletion, startProcess } from "./process.js";

// The chunks of the red container run (expiry::server::valid-rsa > openssl): s_client wrote
// "Server Temp Key: " and "X25519, 253 bits\n" to stderr in two writes, and the docker exec client
// delivered the server's response on stdout between them.
const splicedRun: Array<["stdout" | "stderr", string]> = [
  ["stderr", "CONNECTION ESTABLISHED\nProtocol version: TLSv1.3\nCiphersuite: TLS_AES_256_GCM_SHA384\n"],
  ["stderr", "Verification: OK\nVerified peername: api.mesh.test\n"],
  ["stderr", "Server Temp Key: "],
  ["stdout", 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"identity":null,"authorized":false,"protocol":"TLSv1.3"}'],
  ["stderr", "X25519, 253 bits\n"],
];
const streamText = (name: "stdout" | "stderr") =>
  splicedRun
    .filter(([stream]) => stream === name)
    .map(([, text]) => text)
    .join("");

describe("StreamOutput", () => {
  it("keeps a line written in pieces whole when the other stream arrives in between", () => {
    const output = new StreamOutput();
    for (const [stream, text] of splicedRun) output.append(stream, text);
    expect(output.merged()).toContain("Server Temp Key: X25519, 253 bits\n");
    expect(output.merged()).toMatch(/^HTTP\/1\.1 200 OK\r$/m);
    // stdout's last line has no newline: it joins when the streams end.
    expect(output.merged()).not.toContain('"identity"');
    output.end();
    expect(output.merged()).toMatch(/\{"identity":null,"authorized":false,"protocol":"TLSv1.3"\}$/);
    expect(output.stream("stderr")).toBe(streamText("stderr"));
    expect(output.stream("stdout")).toBe(streamText("stdout"));
  });

  it("decodes a multi-byte character split across chunks", () => {
    const output = new StreamOutput();
    const bytes = Buffer.from("é\n");
    output.append("stdout", bytes.subarray(0, 1));
    output.append("stdout", bytes.subarray(1));
    expect(output.merged()).toBe("é\n");
  });
});

describe("openssl s_client observation", () => {
  it("finds the response on stdout whatever the merged order of the streams", () => {
    // Merged chunk by chunk, as the runtime did: the response is not at the start of a line.
    const chunkMerged = splicedRun.map(([, text]) => text).join("");
    const observation = sClientObservation({ exitCode: 0, output: chunkMerged, stdout: streamText("stdout"), stderr: streamText("stderr"), timedOut: false }, 5_000);
    expect(observation).toMatchObject({ outcome: "accepted", response: "HTTP/1.1 200 OK", tlsVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" });
  });

  it("still classifies a failure from both streams", () => {
    // OpenSSL 3.0.19 against a self-signed server certificate it was not told to trust (measured).
    const stderr = "depth=0 CN = api.mesh.test\nverify error:num=18:self-signed certificate\n40F7F87A257F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:\n";
    const observation = sClientObservation({ exitCode: 1, output: stderr, stdout: "", stderr, timedOut: false }, 5_000);
    expect(observation).toMatchObject({ outcome: "rejected:unknown-ca", rejectedBy: "client" });
  });
});

// The same interleaving from real pipes: the pauses make the reader see stdout's line while
// stderr's line is half written, as the docker exec client did under load.
const interleavingScript = `printf 'Server Temp Key: ' >&2; sleep 0.3; printf 'HTTP/1.1 200 OK\\r\\n'; sleep 0.3; printf 'X25519, 253 bits\\n' >&2`;

describe("process runtime output", () => {
  it("runToCompletion merges the two pipes by whole lines and keeps each stream", async () => {
    const run = await runToCompletion("sh", ["-c", interleavingScript], { timeoutMs: 10_000 });
    expect(run.output).toBe("HTTP/1.1 200 OK\r\nServer Temp Key: X25519, 253 bits\n");
    expect(run.stdout).toBe("HTTP/1.1 200 OK\r\n");
    expect(run.stderr).toBe("Server Temp Key: X25519, 253 bits\n");
  });

  it("a started process's output is merged by whole lines too", async () => {
    const child = await startProcess("sh", ["-c", `${interleavingScript}; echo ready; sleep 30`], { ready: /^ready$/m, readyTimeoutMs: 10_000, description: "an interleaving script" });
    try {
      expect(child.output()).toBe("HTTP/1.1 200 OK\r\nServer Temp Key: X25519, 253 bits\nready\n");
    } finally {
      await child.stop();
    }
  });
});
