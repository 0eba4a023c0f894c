/** bench/pytorch.ts: no torch means no baseline (null), never a failed benchmark. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchPytorch, pytorchAvailable } from "../../bench/pytorch";

test("without a Python that has torch, the PyTorch baseline is null", () => {
  assert.equal(pytorchAvailable("/nonexistent/python3"), false);
  assert.equal(benchPytorch({ python: "/nonexistent/python3" }), null);
  assert.equal(pytorchAvailable("/bin/false"), false, "a python that cannot import torch");
});
