/** lib/data/random.ts uniformNoise: the kit's one noise generator for synthetic inputs. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, uniformNoise } from "../../lib/data/random";

test("uniformNoise is mulberry32 scaled into [low, high), the same for the same seed", () => {
  const u = mulberry32(5);
  const expected = Float32Array.from({ length: 4 }, () => u() * 2 - 1);
  assert.deepEqual(uniformNoise(4, 5), expected, "default range [-1, 1)");
  assert.deepEqual(uniformNoise(1000, 9, -4, 4), uniformNoise(1000, 9, -4, 4));
  assert.notDeepEqual(uniformNoise(8, 1), uniformNoise(8, 2));
  const wide = uniformNoise(20_000, 3, -4, 4);
  assert.ok(wide.every((v) => v >= -4 && v < 4));
  const mean = wide.reduce((s, v) => s + v, 0) / wide.length;
  assert.ok(Math.abs(mean) < 0.1, `mean ${mean}`);
  assert.ok(Math.min(...wide) < -3.9 && Math.max(...wide) > 3.9, "fills the range");
});
