import { describe, expect, it } from "vitest";
import { Coalescer } from "./coalesce.ts";

/** A read whose completion the test controls; `started` counts reads begun. */
function controlledReads() {
  const pending: Array<(value: number) => void> = [];
  let started = 0;
  return {
    read: () =>
      new Promise<number>((resolve) => {
        started++;
        pending.push(resolve);
      }),
    finish: (value: number) => pending.shift()?.(value),
    get started() {
      return started;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("Coalescer", () => {
  it("serves callers that arrive in the same turn with one read", async () => {
    const c = new Coalescer<number>();
    const reads = controlledReads();
    const all = Promise.all([1, 2, 3].map(() => c.run("k", reads.read)));
    await tick();
    expect(reads.started).toBe(1);
    reads.finish(7);
    expect(await all).toEqual([7, 7, 7]);
  });

  it("serves every caller that arrived during a read with one next read", async () => {
    const c = new Coalescer<number>();
    const reads = controlledReads();
    const first = c.run("k", reads.read);
    await tick();
    const waiting = Promise.all([1, 2, 3].map(() => c.run("k", reads.read)));
    reads.finish(1);
    await first;
    await tick();
    // Three callers, one read between them.
    expect(reads.started).toBe(2);
    reads.finish(2);
    expect(await waiting).toEqual([2, 2, 2]);
  });

  it("never hands a caller a read that started before it asked", async () => {
    const c = new Coalescer<number>();
    const reads = controlledReads();
    const early = c.run("k", reads.read);
    await tick();
    // These arrive while the first read is in flight: they wait for the next one.
    const late = Promise.all([c.run("k", reads.read), c.run("k", reads.read)]);
    expect(reads.started).toBe(1);
    reads.finish(1);
    expect(await early).toBe(1);
    await tick();
    expect(reads.started).toBe(2);
    reads.finish(2);
    expect(await late).toEqual([2, 2]);
  });

  it("keeps keys apart and recovers from a failed read", async () => {
    const c = new Coalescer<number>();
    const failing = c.run("a", () => Promise.reject(new Error("down")));
    const other = c.run("b", async () => 5);
    await expect(failing).rejects.toThrow("down");
    expect(await other).toBe(5);
    expect(await c.run("a", async () => 6)).toBe(6);
  });
});
