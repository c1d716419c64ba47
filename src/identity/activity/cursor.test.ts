import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";

describe("keyset cursors", () => {
  it("round-trip a row's position exactly", () => {
    const at = new Date("2026-11-26T09:35:57.123Z");
    const id = "0b7c1c8e-5d6a-4a8e-8f51-2f7d9c3e6a10";
    expect(decodeCursor(encodeCursor({ at, id }), "uuid")).toEqual({ at, id });
    expect(decodeCursor(encodeCursor({ at, id: 42 }), "seq")).toEqual({ at, id: 42 });
  });

  it("refuse anything they did not make", () => {
    for (const bad of ["", "bm9wZQ", Buffer.from("1.x").toString("base64url"), "%%%"])
      expect(() => decodeCursor(bad, "uuid")).toThrow(/cursor is not one this API issued/);
    const seqCursor = encodeCursor({ at: new Date(), id: 7 });
    expect(() => decodeCursor(seqCursor, "uuid")).toThrow();
  });
});
