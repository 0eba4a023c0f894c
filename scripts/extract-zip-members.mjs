#!/usr/bin/env node
// Extracts named members of a ZIP archive read as a STREAM from stdin, e.g. a zip inside a Debian package:
//   dpkg-deb --fsys-tarfile 0ad-data.deb | tar -xO ./usr/share/games/0ad/mods/public/public.zip \
//     | node scripts/extract-zip-members.mjs DEST audio/LICENSE.txt audio/actor/fauna/animal/cattle_01.ogg ...
// Why by hand: 0ad-data's public.zip is 3.2 GB; a ZIP reader needs the central directory at the END (a seekable
// file), so every library would make us store the 3.2 GB first. The local header before each member carries its name
// and sizes (unless the writer used data descriptors, which we refuse), so one pass over the stream finds the members
// and skips the rest without keeping it. Stops reading as soon as every wanted member is written.
// Each member is checked against its CRC-32 and written atomically to DEST/<member path>.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

const [dest, ...members] = process.argv.slice(2);
if (!dest || members.length === 0) {
  console.error("usage: extract-zip-members.mjs DEST MEMBER... (zip stream on stdin)");
  process.exit(2);
}
for (const m of members) {
  if (m.startsWith("/") || normalize(m).startsWith("..")) {
    console.error(`extract-zip-members: refusing member path "${m}"`);
    process.exit(2);
  }
}
const wanted = new Set(members);

// Byte reader over the async stdin stream: take(n) returns exactly n bytes, skip(n) discards n bytes.
const chunks = process.stdin[Symbol.asyncIterator]();
let held = Buffer.alloc(0);
let offset = 0; // position in the zip stream (for error messages)
async function fill(n) {
  const parts = [held];
  let length = held.length;
  while (length < n) {
    const next = await chunks.next();
    if (next.done) return false;
    parts.push(next.value);
    length += next.value.length;
  }
  held = parts.length === 1 ? held : Buffer.concat(parts, length);
  return true;
}
async function take(n) {
  if (!(await fill(n))) return null;
  const out = held.subarray(0, n);
  held = held.subarray(n);
  offset += n;
  return out;
}
async function skip(n) {
  while (n > 0) {
    if (held.length === 0) {
      const next = await chunks.next();
      if (next.done) return false;
      held = next.value;
    }
    const step = Math.min(n, held.length);
    held = held.subarray(step);
    n -= step;
    offset += step;
  }
  return true;
}

function fail(message) {
  console.error(`extract-zip-members: ${message}`);
  process.exit(1);
}

const LOCAL = 0x04034b50;
while (wanted.size > 0) {
  const at = offset;
  const header = await take(30);
  if (header === null || header.readUInt32LE(0) !== LOCAL) break; // end of stream or central directory: no more members
  const flags = header.readUInt16LE(6);
  const method = header.readUInt16LE(8);
  const crc = header.readUInt32LE(14);
  let compressedSize = header.readUInt32LE(18);
  let size = header.readUInt32LE(22);
  const nameLength = header.readUInt16LE(26);
  const extraLength = header.readUInt16LE(28);
  const nameAndExtra = await take(nameLength + extraLength);
  if (nameAndExtra === null) fail(`truncated local header at byte ${at}`);
  const name = nameAndExtra.subarray(0, nameLength).toString("utf8");
  if (flags & 0x08) fail(`member "${name}" (byte ${at}) has its sizes after the data (data descriptor); cannot be read as a stream`);
  if (compressedSize === 0xffffffff || size === 0xffffffff) {
    // ZIP64: the 8-byte sizes are in the extra field 0x0001 (uncompressed first, then compressed).
    const extra = nameAndExtra.subarray(nameLength);
    for (let p = 0; p + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(p);
      const length = extra.readUInt16LE(p + 2);
      if (id === 0x0001) {
        let q = p + 4;
        if (size === 0xffffffff) (size = Number(extra.readBigUInt64LE(q))), (q += 8);
        if (compressedSize === 0xffffffff) compressedSize = Number(extra.readBigUInt64LE(q));
      }
      p += 4 + length;
    }
  }
  if (!wanted.has(name)) {
    if (!(await skip(compressedSize))) fail(`stream ends inside member "${name}"`);
    continue;
  }
  const stored = await take(compressedSize);
  if (stored === null) fail(`stream ends inside member "${name}"`);
  let data;
  if (method === 0) data = stored;
  else if (method === 8) data = inflateRawSync(stored);
  else fail(`member "${name}": compression method ${method} is not supported (only stored and deflate)`);
  if (data.length !== size || crc32(data) !== crc) fail(`member "${name}": size or CRC-32 does not match its header (corrupt archive?)`);
  const out = join(dest, name);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.part`, data);
  renameSync(`${out}.part`, out);
  wanted.delete(name);
}
if (wanted.size > 0) fail(`not in the archive: ${[...wanted].join(", ")}`);
console.log(`extract-zip-members: ${members.length} members written under ${dest} (read ${(offset / 1e6).toFixed(0)} MB of the archive)`);
// Leave at once: whatever still streams in (the rest of the archive) is not needed.
process.exit(0);
