/**
 * scripts/extract-zip-members.mjs: named members of a ZIP read as a stream (how setup-demo-sources.sh takes a few files
 * out of 0ad-data's 3.2-GB public.zip without storing it). The archives here are built byte by byte: stored and
 * deflated members, a member to skip, and the malformed cases the script must refuse.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { crc32, deflateRawSync } from "node:zlib";
import { repoRoot } from "../../lib/io/repo-root";

const SCRIPT = join(repoRoot(), "scripts", "extract-zip-members.mjs");

interface Member {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Set bit 3 (sizes in a data descriptor after the data), which a stream reader cannot follow. */
  descriptor?: boolean;
  /** Store a wrong CRC-32 in the header. */
  badCrc?: boolean;
}

/** Local headers + data of each member, then a central directory signature (what a real zip has after its members). */
function zipStream(members: Member[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const body = m.deflate ? deflateRawSync(m.data) : m.data;
    const name = Buffer.from(m.name, "utf8");
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(m.descriptor ? 0x08 : 0, 6);
    header.writeUInt16LE(m.deflate ? 8 : 0, 8);
    header.writeUInt32LE((crc32(m.data) ^ (m.badCrc ? 1 : 0)) >>> 0, 14);
    header.writeUInt32LE(body.length, 18);
    header.writeUInt32LE(m.data.length, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    parts.push(header, name, body);
  }
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  parts.push(central);
  return Buffer.concat(parts);
}

function extract(zip: Buffer, ...members: string[]) {
  const dest = mkdtempSync(join(tmpdir(), "psl-zip-"));
  const run = spawnSync(process.execPath, [SCRIPT, dest, ...members], { input: zip, encoding: "utf8" });
  return { dest, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const ogg = Buffer.from("OggS fake audio payload ".repeat(50));
const text = Buffer.from("licence text\n".repeat(20));
const skipped = Buffer.alloc(100_000, 7);

test("writes the named stored and deflated members under DEST (paths kept), skips the others", () => {
  const zip = zipStream([
    { name: "art/big.dds", data: skipped },
    { name: "audio/LICENSE.txt", data: text, deflate: true },
    { name: "audio/actor/cattle_02.ogg", data: ogg },
    { name: "audio/actor/pig_10.ogg", data: skipped },
  ]);
  const { dest, status, stdout, stderr } = extract(zip, "audio/actor/cattle_02.ogg", "audio/LICENSE.txt");
  try {
    assert.equal(status, 0, stderr);
    assert.deepEqual(readFileSync(join(dest, "audio/actor/cattle_02.ogg")), ogg);
    assert.deepEqual(readFileSync(join(dest, "audio/LICENSE.txt")), text);
    assert.equal(existsSync(join(dest, "audio/actor/pig_10.ogg")), false);
    assert.equal(existsSync(join(dest, "art/big.dds")), false);
    assert.match(stdout, /2 members written/);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});

test("a member the archive lacks, a corrupt member, sizes after the data, an unsafe path: exit 1 or 2 with the member named", () => {
  const cases: [Member[], string[], RegExp][] = [
    [[{ name: "audio/a.ogg", data: ogg }], ["audio/a.ogg", "audio/missing.ogg"], /not in the archive: audio\/missing\.ogg/],
    [[{ name: "audio/a.ogg", data: ogg, badCrc: true }], ["audio/a.ogg"], /"audio\/a\.ogg": size or CRC-32 does not match/],
    [[{ name: "audio/a.ogg", data: ogg, descriptor: true }], ["audio/a.ogg"], /"audio\/a\.ogg" .*data descriptor/],
  ];
  for (const [members, wanted, message] of cases) {
    const { dest, status, stderr } = extract(zipStream(members), ...wanted);
    try {
      assert.equal(status, 1, stderr);
      assert.match(stderr, message);
      if (members[0].badCrc) assert.equal(existsSync(join(dest, "audio/a.ogg")), false, "a corrupt member is not written");
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  }
  const unsafe = extract(zipStream([{ name: "a.ogg", data: ogg }]), "../a.ogg");
  rmSync(unsafe.dest, { recursive: true, force: true });
  assert.equal(unsafe.status, 2);
  assert.match(unsafe.stderr, /refusing member path "\.\.\/a\.ogg"/);
});

test("a stream cut inside a member is an error, not a short file", () => {
  const zip = zipStream([{ name: "audio/a.ogg", data: ogg }]);
  const { dest, status, stderr } = extract(zip.subarray(0, 30 + "audio/a.ogg".length + 100), "audio/a.ogg");
  try {
    assert.equal(status, 1);
    assert.match(stderr, /stream ends inside member "audio\/a\.ogg"/);
    assert.equal(existsSync(join(dest, "audio/a.ogg")), false);
  } finally {
    rmSync(dest, { recursive: true, force: true });
  }
});
