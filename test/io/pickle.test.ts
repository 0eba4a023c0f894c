import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../lib/errors";
import { PickleObject, unpickle } from "../../lib/io/pickle";

const FIXTURES = join(__dirname, "..", "fixtures", "model");

for (const protocol of [2, 4]) {
  test(`Python pickle protocol ${protocol} (written by CPython) reads back exactly`, () => {
    const bytes = readFileSync(join(FIXTURES, `pickle_p${protocol}.pkl`));
    const { value, end } = unpickle(bytes, { name: `p${protocol}` });
    assert.equal(end, bytes.length);
    const root = value as Map<string, unknown>;
    assert.deepEqual(root.get("ints"), [0, 1, 255, 256, 65535, 65536, -1, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40), 2n ** 70n]);
    assert.deepEqual(root.get("floats"), [0, -1.5, 1e-300, 3.141592653589793]);
    assert.deepEqual(root.get("strings"), ["", "a", "héllo ✓", "x".repeat(300)]);
    assert.deepEqual(root.get("tuples"), [[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4]]);
    assert.ok((root.get("tuples") as unknown[][]).every((t) => Object.isFrozen(t)), "tuples are frozen arrays");
    assert.deepEqual(root.get("constants"), [null, true, false]);
    assert.deepEqual(root.get("long_list"), Array.from({ length: 1001 }, (_, i) => i));
    const bigDict = root.get("big_dict") as Map<number, number>;
    assert.equal(bigDict.size, 1001);
    assert.equal(bigDict.get(1000), -1000);
    // OrderedDict is an unknown class without findClass: an inert record, not executed.
    const ordered = root.get("ordered");
    assert.ok(ordered instanceof PickleObject && ordered.cls.qualifiedName === "collections.OrderedDict");
    assert.deepEqual([...ordered.dictItems], [["b", 2], ["a", 1]]);
    // Shared references come back as the same object (memo).
    const shared = root.get("shared_twice") as unknown[];
    assert.equal(shared[0], shared[1]);
    assert.deepEqual(shared[0], ["shared", 1]);
  });
}

test("findClass resolves globals; OrderedDict items land in a Map", () => {
  const bytes = readFileSync(join(FIXTURES, "pickle_p4.pkl"));
  const { value } = unpickle(bytes, { findClass: (module, name) => (module === "collections" && name === "OrderedDict" ? () => new Map() : undefined) });
  assert.deepEqual([...((value as Map<string, unknown>).get("ordered") as Map<string, number>)], [["b", 2], ["a", 1]]);
});

test("malformed pickles are UserErrors (truncation, bad opcode, stack underflow, missing memo)", () => {
  const bytes = readFileSync(join(FIXTURES, "pickle_p2.pkl"));
  for (const cut of [0, 1, 2, 10, 100, bytes.length - 1]) {
    assert.throws(() => unpickle(bytes.subarray(0, cut)), UserError, `cut at ${cut}`);
  }
  const cases: number[][] = [
    [0x80, 0x02, 0xff], // unknown opcode
    [0x80, 0x02, 0x52, 0x2e], // REDUCE on an empty stack
    [0x80, 0x02, 0x68, 0x05, 0x2e], // BINGET of an unknown memo slot
    [0x80, 0x02, 0x4e, 0x4e, 0x2e], // two values at STOP
    [0x80, 0x02, 0x65, 0x2e], // APPENDS without MARK
    [0x80, 0x02, 0x4b, 0x01, 0x4b, 0x02, 0x73, 0x2e], // SETITEM on an int
    [0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f], // BINUNICODE longer than the data
    [0x80, 0x02, 0x51, 0x2e], // BINPERSID without handler (and empty stack)
  ];
  for (const bytesCase of cases) {
    assert.throws(() => unpickle(new Uint8Array(bytesCase), { name: "case" }), (e: unknown) => e instanceof UserError && /case: malformed pickle/.test(e.message), bytesCase.join(","));
  }
});

test("bounded fuzz: random corruption of a real pickle only ever gives values or UserErrors", () => {
  const original = new Uint8Array(readFileSync(join(FIXTURES, "pickle_p4.pkl")));
  let seed = 99;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let trial = 0; trial < 400; trial++) {
    const bytes = original.slice(0, Math.max(1, Math.floor(next() * original.length)));
    for (let i = 0; i < 4; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
    try {
      unpickle(bytes, { persistentLoad: () => null });
    } catch (error) {
      assert.ok(error instanceof UserError, `trial ${trial}: ${(error as Error).stack}`);
    }
  }
});

test("oversized integers are refused quickly instead of building huge BigInts", () => {
  const n = 5_000_000;
  const bytes = new Uint8Array(2 + 1 + 4 + n + 1);
  bytes.set([0x80, 0x02, 0x8b]);
  new DataView(bytes.buffer).setInt32(3, n, true);
  bytes[bytes.length - 1] = 0x2e;
  const started = Date.now();
  assert.throws(() => unpickle(bytes), (e: unknown) => e instanceof UserError && /too large/.test(e.message));
  assert.ok(Date.now() - started < 1000);
});
