// A worker's share of the concurrency budget (budget.ts), held by each case while it works. A case
// whose row waits on purpose (a first byte sent seconds late, a banner that must not come) gives its
// slot back for that wait: its peers are idle, so the wait loads nothing, and another case works
// meanwhile. vitest lets more cases be in flight than there are slots (budget.ts inFlightPerWorker),
// so there is always one ready to take a freed slot.
export class CaseSlots {
  #free: number;
  readonly #queue: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker needs at least one case slot, not ${size}`);
    this.#free = size;
  }

  /** Plays a case in a slot; `aside` runs one of its deliberate waits outside it. */
  async hold<T>(play: (aside: <U>(wait: () => Promise<U>) => Promise<U>) => Promise<T>): Promise<T> {
    await this.#take();
    let held = true;
    const aside = async <U>(wait: () => Promise<U>): Promise<U> => {
      this.#give();
      held = false;
      try {
        return await wait();
      } finally {
        await this.#take();
        held = true;
      }
    };
    try {
      return await play(aside);
    } finally {
      if (held) this.#give();
    }
  }

  /** Slots no case holds. */
  get free(): number {
    return this.#free;
  }

  #take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  #give(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}
