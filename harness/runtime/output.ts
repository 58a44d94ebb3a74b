// A peer's stdout and stderr, kept apart and merged line by line. Two pipes keep no order between
// them, and a program may write one line in several writes (openssl s_client -brief writes
// "Server Temp Key: " and "X25519, 253 bits\n" apart, measured with strace): merging the pipes
// chunk by chunk as they are read can put the other stream's text in the middle of that line.
// Through `docker exec` each stream is copied on its own (shim, engine, client), so the gap is wide
// enough that s_client's HTTP response landed inside its stderr summary line and the response was
// missed (`Server Temp Key: HTTP/1.1 200 OK ... X25519, 253 bits`). Here a stream's partial line
// waits for its newline (or the end of the stream) before it joins the merged text.
import { StringDecoder } from "node:string_decoder";

export type StreamName = "stdout" | "stderr";

export class StreamOutput {
  private mergedText = "";
  private readonly whole: Record<StreamName, string> = { stdout: "", stderr: "" };
  private readonly partial: Record<StreamName, string> = { stdout: "", stderr: "" };
  private readonly decoders: Record<StreamName, StringDecoder> = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };

  /** Adds a chunk read from one stream; complete lines join the merged text at once. */
  append(stream: StreamName, chunk: Buffer | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoders[stream].write(chunk);
    if (!text) return;
    this.whole[stream] += text;
    const pending = this.partial[stream] + text;
    const lastNewline = pending.lastIndexOf("\n");
    if (lastNewline < 0) {
      this.partial[stream] = pending;
      return;
    }
    this.mergedText += pending.slice(0, lastNewline + 1);
    this.partial[stream] = pending.slice(lastNewline + 1);
  }

  /** The streams have ended: what is left of a line without a newline joins the merged text. */
  end(): void {
    for (const stream of ["stderr", "stdout"] as const) {
      const rest = this.decoders[stream].end();
      if (rest) this.whole[stream] += rest;
      this.mergedText += this.partial[stream] + rest;
      this.partial[stream] = "";
    }
  }

  /** Both streams, whole lines in the order they completed; only ever appended to. */
  merged(): string {
    return this.mergedText;
  }

  /** One stream's text as written, in its own order. */
  stream(name: StreamName): string {
    return this.whole[name];
  }
}
