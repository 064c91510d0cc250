import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LATE, orLate } from "./deadline.ts";

describe("orLate", () => {
  it("gives the value of work that settles in time", async () => {
    assert.equal(await orLate(Promise.resolve(7), 1000), 7);
  });
  it("gives LATE for work that does not, and a late rejection is not left unhandled", async () => {
    const never = new Promise<number>(() => undefined);
    assert.equal(await orLate(never, 5), LATE);
    const rejectsLater = new Promise<number>((_, reject) => setTimeout(() => reject(new Error("late failure")), 20));
    assert.equal(await orLate(rejectsLater, 5), LATE);
    await new Promise((r) => setTimeout(r, 30)); // the rejection lands after the race: nothing may escape
  });
  it("rejects with work that fails in time", async () => {
    await assert.rejects(orLate(Promise.reject(new Error("no")), 1000), /no/);
  });
});
