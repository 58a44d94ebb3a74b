// Waiting for a line in output that grows as a peer writes it: shared by local processes
// (process.ts) and requests to a long-lived peer (stacks/common/peer-service.ts).
export class OutputWatch {
  private readonly listeners = new Set<() => void>();
  private changed = Date.now();

  /** `text` is everything written so far; `ended` tells whether more can come. */
  constructor(
    private readonly text: () => string,
    private readonly ended: () => boolean,
  ) {}

  /** Call when text was added or the writer ended. */
  notify(): void {
    this.changed = Date.now();
    for (const listener of this.listeners) listener();
  }

  /** When text was last added or the writer ended (Date.now()); when the watch began if never. */
  changedAt(): number {
    return this.changed;
  }

  /** Resolves true when `pattern` appears after offset `from`, false after timeoutMs or when the writer ended without it. */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (pattern.test(this.text().slice(from))) finish(true);
        else if (this.ended()) finish(false);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(value);
      };
      this.listeners.add(check);
      check();
    });
  }
}
