/** lib/evaluation/mean.ts: the one arithmetic mean of the kit (analysis modules and scripts had a copy each). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mean } from "../../lib/evaluation/mean";

test("the sum over the count, NaN for no values", () => {
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.equal(mean([0.141]), 0.141);
  assert.equal(mean([-1, 1]), 0);
  assert.ok(Number.isNaN(mean([])));
});

test("summed left to right from 0, so a seed mean is the same number the modules' own copies gave", () => {
  const seeds = [0.137, 0.145, 0.143];
  assert.equal(mean(seeds), (0 + 0.137 + 0.145 + 0.143) / 3);
  assert.equal(mean([0.1, 0.2, 0.3]), (0.1 + 0.2 + 0.3) / 3, "not the exactly rounded 0.2");
});
