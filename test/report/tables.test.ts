/** lib/report/tables.ts: arquero tables, danfo-shaped frames and row objects → one HTML table. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { tableHtml, toArquero, showTable } from "../../lib/report/tables";

const cells = (html: string): string[] => [...html.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]);

test("row objects: escaped cells, rounded floats, integers untouched, row limit stated", () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, score: i / 3, label: i === 0 ? "<dog & cat>" : `c${i}` }));
  const html = tableHtml(rows, { maxRows: 5, digits: 3, caption: "scores" });
  assert.match(html, /scores · showing 5 of 30 rows/);
  assert.deepEqual(cells(html).slice(0, 6), ["0", "0", "&lt;dog &amp; cat&gt;", "1", "0.333", "c1"]);
  assert.equal((html.match(/<tr>/g) ?? []).length, 1 + 5, "header + 5 rows");
});

test("arquero tables pass through; small tables say their row count", () => {
  const t = aq.table({ a: [1.23456789, 2], b: ["x", null] });
  assert.equal(toArquero(t), t);
  const html = tableHtml(t);
  assert.match(html, /2 rows/);
  assert.deepEqual(cells(html), ["1.235", "x", "2", ""]);
});

test("danfo-shaped frames: columns in order, a non-default index becomes a column", () => {
  const frame = { columns: ["name", "ap"], values: [["dog", 0.5], ["cat", 0.25]], index: ["r1", "r2"], shape: [2, 2] };
  const t = toArquero(frame);
  assert.deepEqual(t.columnNames(), ["index", "name", "ap"]);
  assert.deepEqual(t.objects(), [{ index: "r1", name: "dog", ap: 0.5 }, { index: "r2", name: "cat", ap: 0.25 }]);
  const plain = toArquero({ columns: ["x"], values: [[1], [2]], index: [0, 1], shape: [2, 1] });
  assert.deepEqual(plain.columnNames(), ["x"]);
});

test("a real danfo DataFrame renders", async () => {
  const dfd = await import("danfojs-node");
  const df = new dfd.DataFrame({ cls: ["Speech", "Music"], mAP: [0.61, 0.4] });
  const html = tableHtml(df as never);
  assert.deepEqual(cells(html), ["Speech", "0.61", "Music", "0.4"]);
});

test("unsupported input is a clear error; outside a notebook showTable prints Markdown", () => {
  assert.throws(() => toArquero(42 as never), /arquero table, a danfo DataFrame or an array/);
  const logged: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    showTable([{ a: 1 }, { a: 2 }, { a: 3 }], { maxRows: 2 });
  } finally {
    console.log = original;
  }
  assert.match(logged.join("\n"), /\|a\|/);
  assert.match(logged.join("\n"), /showing 2 of 3 rows/);
});

test("rows typed by an interface (no index signature) are a table as they are", () => {
  interface Point {
    threshold: number;
    labelsPerChunk: number;
  }
  const points: Point[] = [{ threshold: 0.5, labelsPerChunk: 1.25 }];
  assert.match(tableHtml(points), /1\.25/);
});
