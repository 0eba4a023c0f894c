/** lib/evaluation/median.ts: the one median of the kit. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { median } from "../../lib/evaluation/median";

test("odd counts give the middle value, even counts the mean of the two middle ones, in any input order", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5, "not the upper-middle 3");
  assert.equal(median([10]), 10);
  assert.equal(median([-1, 5]), 2);
  assert.ok(Number.isNaN(median([])));
});

test("the input is left as it was", () => {
  const values = [3, 1, 2];
  median(values);
  assert.deepEqual(values, [3, 1, 2]);
});
