import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedQueue } from "./bounded-queue.ts";

describe("BoundedQueue", () => {
  it("keeps the newest items in order and counts what it drops", () => {
    const q = new BoundedQueue<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => q.push(n));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(q.take(10)).toEqual([3, 4, 5]);
  });

  it("puts a failed batch back in front, trimming the oldest when full", () => {
    const q = new BoundedQueue<number>(4);
    for (const n of [1, 2, 3]) q.push(n);
    const batch = q.take(2);
    q.push(4);
    q.push(5);
    expect(q.putBack(batch)).toBe(1);
    expect(q.take(10)).toEqual([2, 3, 4, 5]);
  });

  it("behaves like a capped array under any sequence of operations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(-1), fc.constant(-2))),
        (capacity, ops) => {
          const q = new BoundedQueue<number>(capacity);
          let model: number[] = [];
          let out: number[] = [];
          for (const op of ops) {
            if (op === -1) {
              out = q.take(3);
              model = model.slice(out.length);
            } else if (op === -2) {
              q.putBack(out);
              model = [...out, ...model].slice(-capacity);
              out = [];
            } else {
              q.push(op);
              model = [...model, op].slice(-capacity);
            }
            expect(q.length).toBe(model.length);
          }
          expect(q.take(100)).toEqual(model);
        },
      ),
    );
  });
});
