import { describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { CaseSlots } from "./case-slots.js";

/** Plays `count` cases on `slots`, each working `workMs`; returns the most that worked at once. */
async function mostAtOnce(slots: CaseSlots, count: number, play: (aside: <U>(wait: () => Promise<U>) => Promise<U>, mark: () => () => void) => Promise<void>): Promise<number> {
  let working = 0;
  let most = 0;
  const mark = () => {
    working++;
    most = Math.max(most, working);
    return () => void working--;
  };
  await Promise.all(Array.from({ length: count }, () => slots.hold((aside) => play(aside, mark))));
  return most;
}

describe("case slots", () => {
  it("let no more cases work at once than there are slots", async () => {
    const slots = new CaseSlots(3);
    const most = await mostAtOnce(slots, 10, async (_aside, mark) => {
      const done = mark();
      await sleep(20);
      done();
    });
    expect(most).toBe(3);
    expect(slots.free).toBe(3);
  });

  it("give a case's slot to another case while it waits on purpose, and take it back after", async () => {
    const slots = new CaseSlots(1);
    const order: string[] = [];
    const waiting = slots.hold(async (aside) => {
      order.push("waiter works");
      await aside(async () => {
        order.push("waiter waits");
        await sleep(100);
      });
      order.push("waiter works again");
    });
    // Started after the waiter took the only slot: it can work only because the wait gave it back.
    await sleep(10);
    const other = slots.hold(async () => {
      order.push("other works");
    });
    await Promise.all([waiting, other]);
    expect(order).toEqual(["waiter works", "waiter waits", "other works", "waiter works again"]);
    expect(slots.free).toBe(1);
  });

  it("count a case back in after its wait before it works again", async () => {
    const slots = new CaseSlots(2);
    // Four cases that each wait aside, then work: the work after the waits still runs two at a time.
    const most = await mostAtOnce(slots, 4, async (aside, mark) => {
      await aside(() => sleep(30));
      const done = mark();
      await sleep(30);
      done();
    });
    expect(most).toBe(2);
  });

  it("give the slot back when a case throws, in its wait or after", async () => {
    const slots = new CaseSlots(1);
    await expect(slots.hold(async () => Promise.reject(new Error("peer did not start")))).rejects.toThrow("peer did not start");
    await expect(slots.hold(async (aside) => aside(async () => Promise.reject(new Error("probe failed"))))).rejects.toThrow("probe failed");
    expect(slots.free).toBe(1);
    await expect(slots.hold(async () => "played")).resolves.toBe("played");
  });

  it("refuse a size that is not a positive whole number", () => {
    expect(() => new CaseSlots(0)).toThrow("at least one case slot");
    expect(() => new CaseSlots(1.5)).toThrow("at least one case slot");
  });
});
