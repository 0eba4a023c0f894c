/** PSL table: Arrow IPC round trip (exact float32 values, weak labels, names), concatenation, readable TSV. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "@uwdata/flechette";
import { concatTables, encodePslTable, pslTableToTsv, readPslTable, writePslTable, type PslTable } from "../../lib/psl/table";

function make(offset: number, rows: number, C: number): PslTable {
  return {
    numClasses: C,
    filenames: Array.from({ length: rows }, (_, r) => `clips/a b,${offset + r}.wav`),
    clipIndex: Int32Array.from({ length: rows }, (_, r) => offset + r),
    chunkIndex: Int32Array.from({ length: rows }, (_, r) => r % 3),
    from: Float32Array.from({ length: rows }, (_, r) => (r % 3) * 2),
    to: Float32Array.from({ length: rows }, (_, r) => (r % 3) * 2 + 2),
    weak: Array.from({ length: rows }, (_, r) => (r % 2 ? [1, C - 1] : [])),
    probs: Float32Array.from({ length: rows * C }, (_, i) => Math.fround(((i * 7919) % 1000) / 1000)),
  };
}

test("Arrow round trip is exact and columns are readable by any Arrow reader", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-table-"));
  const table = concatTables([make(0, 4, 5), make(4, 3, 5)], 5);
  writePslTable(join(dir, "psl.arrow"), table);
  const back = readPslTable(join(dir, "psl.arrow"));
  assert.equal(back.numClasses, 5);
  assert.deepEqual(back.filenames, table.filenames);
  assert.deepEqual(Array.from(back.clipIndex), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(back.chunkIndex), Array.from(table.chunkIndex));
  assert.deepEqual(Array.from(back.to), Array.from(table.to));
  assert.deepEqual(back.weak, table.weak);
  assert.deepEqual(Array.from(back.probs), Array.from(table.probs));
  const arrow = tableFromIPC(readFileSync(join(dir, "psl.arrow")));
  assert.deepEqual(arrow.schema.fields.map((f) => f.name), ["filename", "clip", "chunk", "from", "to", "labels", "p0", "p1", "p2", "p3", "p4"]);
  assert.equal(arrow.getChild("p2")!.at(1), table.probs[1 * 5 + 2]);
  assert.equal(encodePslTable(table).byteLength > 0, true);
});

test("TSV export lists top classes by name", () => {
  const t = make(0, 2, 3);
  t.probs = Float32Array.from([0.05, 0.9, 0.5, 0.2, 0.3, 0.6]);
  t.weak = [[1], []];
  const tsv = pslTableToTsv(t, { classNames: ["Speech", "Dog", "Car"], top: 2 }).trim().split("\n");
  assert.equal(tsv[0], "filename\tchunk\tfrom\tto\tweak_labels\ttop_classes");
  assert.equal(tsv[1], "clips/a b,0.wav\t0\t0.00\t2.00\tDog\tDog:0.900;Car:0.500");
  assert.equal(tsv[2], "clips/a b,1.wav\t1\t2.00\t4.00\t\tCar:0.600;Dog:0.300");
});
