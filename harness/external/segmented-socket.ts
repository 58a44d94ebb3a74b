// A Duplex over a TCP socket that writes the client's first flight (the ClientHello) one byte per
// TCP segment, a pause between bytes, and everything after the server's first reply as it comes:
// node:tls runs over it unchanged, so detect::split-hello's hello is the one a whole probe sends.
import { Duplex } from "node:stream";
import type { Socket } from "node:net";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SegmentedSocket extends Duplex {
  private replied = false;
  private peerGone = false;

  constructor(
    private readonly socket: Socket,
    private readonly gapMs: number,
  ) {
    super();
    // Without Nagle every 1-byte write leaves as its own segment.
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.replied = true;
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => {
      this.peerGone = true;
      this.push(null);
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.replied) {
      this.socket.write(chunk, done);
      return;
    }
    void (async () => {
      for (const byte of chunk) {
        if (this.peerGone) break;
        this.socket.write(Buffer.of(byte));
        await pause(this.gapMs);
      }
      done();
    })();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.socket.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.socket.destroy();
    done(error);
  }
}
