// .npy against files written by NumPy (scripts/fixtures/make_npy_fixtures.py) and NumPy reading the kit's files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpy, readNpy, writeNpy } from "../../lib/io/npy";

const DIR = join(__dirname, "../fixtures/data/npy");

test("reads NumPy's float32 [3, 4] (format 1.0 and 2.0)", () => {
  for (const file of ["f4_3x4.npy", "v2_f4_3x4.npy"]) {
    const a = readNpy(join(DIR, file));
    assert.equal(a.dtype, "<f4");
    assert.deepEqual(a.shape, [3, 4]);
    assert.ok(a.data instanceof Float32Array);
    assert.deepEqual(Array.from(a.data), Array.from({ length: 12 }, (_, i) => i / 8 - 0.5));
  }
});

test("reads f8, i4, i8, u1, bool and 0-d arrays", () => {
  assert.deepEqual(Array.from(readNpy(join(DIR, "f8_5.npy")).data), [0.1, -2.5, 1e300, -0, 3]);
  const i4 = readNpy(join(DIR, "i4_2x2.npy"));
  assert.deepEqual([i4.shape, Array.from(i4.data)], [[2, 2], [1, -2, 2 ** 31 - 1, -(2 ** 31)]]);
  assert.deepEqual(Array.from(readNpy(join(DIR, "i8_4.npy")).data), [0, -1, 2 ** 40, -(2 ** 53 - 1)]);
  assert.deepEqual(Array.from(readNpy(join(DIR, "u1_3.npy")).data), [0, 7, 255]);
  assert.deepEqual(Array.from(readNpy(join(DIR, "bool_4.npy")).data), [1, 0, 0, 1]);
  const scalar = readNpy(join(DIR, "scalar_f4.npy"));
  assert.deepEqual([scalar.shape, Array.from(scalar.data)], [[], [2.5]]);
});

test("Fortran order and big-endian files are refused with a clear UserError", () => {
  assert.throws(() => readNpy(join(DIR, "fortran_f4.npy")), /fortran_f4\.npy: Fortran-order/);
  assert.throws(() => readNpy(join(DIR, "bigendian_f4.npy")), /bigendian_f4\.npy: big-endian dtype >f4/);
  assert.throws(() => readNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), "junk.npy"), /junk\.npy: not a \.npy file/);
  assert.throws(() => readNpy(join(DIR, "missing.npy")), /missing\.npy: cannot read/);
});

test("write → read round trip (f4, i4) with a 64-byte aligned header; shape is checked", () => {
  const data = Float32Array.from({ length: 6 }, (_, i) => i * 0.25 - 1);
  const bytes = encodeNpy({ data, shape: [2, 3] });
  const headerLength = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + headerLength) % 64, 0);
  const back = readNpy(bytes);
  assert.deepEqual([back.dtype, back.shape, Array.from(back.data)], ["<f4", [2, 3], Array.from(data)]);
  const ints = readNpy(encodeNpy({ data: Int32Array.from([5, -6]), shape: [2] }));
  assert.deepEqual([ints.dtype, ints.shape, Array.from(ints.data)], ["<i4", [2], [5, -6]]);
  assert.throws(() => encodeNpy({ data, shape: [4, 2] }), /holds 8 values but data has 6/);
});

test("NumPy reads what writeNpy wrote (when /usr/bin/python3 has numpy)", (t) => {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (!existsSync("/usr/bin/python3") || probe.status !== 0) {
    t.skip("no /usr/bin/python3 with numpy");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "psl-npy-"));
  try {
    const path = join(dir, "x.npy");
    writeNpy(path, { data: Float32Array.from([1.5, -2, 3.25, 0, 7, 8]), shape: [3, 2] });
    const out = spawnSync("/usr/bin/python3", ["-c", `import numpy as np; a = np.load(${JSON.stringify(path)}); print(a.dtype, a.shape, a.sum(), a[1, 0])`], { encoding: "utf8" });
    assert.equal(out.stdout.trim(), "float32 (3, 2) 17.75 3.25");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
