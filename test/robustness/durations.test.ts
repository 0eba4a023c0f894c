/**
 * Manifest durations against the audio's own (issue 19): a duration further from the decoded audio than
 * data.durationTolerance is a listed skip naming manifest:line (an error with --strict); within it, chunks are cut
 * from the audio's duration, not the manifest's. Was: 1.0 for a 2-s clip annotated 1 s and ignored the rest; 500 added
 * chunks past the end of the audio; exit 0, no word.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readPslTable } from "../../lib/psl/table";
import { manifestText, writeTinyConfig, writeToneClips } from "./corpus";
import { assertUserFailure, psl } from "./in-process";

test("manifest durations are checked against the audio: listed skip over the tolerance, --strict error, chunks from the audio's length", { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-durations-"));
  try {
    const rows = writeToneClips(dir, 9, 8, 2);
    const train = rows.slice(0, 7).map((r) => ({ ...r }));
    train[0].duration = 1.0; // line 2: a 2-s file said to be 1 s
    train[1].duration = 500; // line 3: said to be 500 s
    train[2].duration = 2.4; // line 4: 0.4 s off, within the 0.5-s default tolerance: chunked as the audio's 2.0 s
    writeFileSync(join(dir, "train.tsv"), manifestText(train));
    writeFileSync(join(dir, "eval.tsv"), manifestText(rows.slice(7)));
    // 1-s chunks, every tail kept (minimum 0.1 s): by the manifest, clip-2 would be 3 chunks (the last 0.4 s).
    const config = writeTinyConfig(dir, { annotation: { chunkSeconds: 1, minChunkSeconds: 0.1, shardClips: 2 }, data: { eval: join(dir, "eval.tsv"), validation: join(dir, "eval.tsv") } });

    const strict = await psl("annotate", "--config", config, "--strict");
    assertUserFailure(strict, /train\.tsv:2: the manifest says 1 s, the audio of clip-0\.wav is 2\.000 s long \(more than data\.durationTolerance = 0\.5 s apart\): a wrong duration, or another file/, "--strict");

    const run = await psl("annotate", "--config", config);
    assert.equal(run.code, 0, run.err);
    const summary = run.out.slice(run.out.indexOf("features: skipped"));
    assert.match(summary, /features: skipped 2 /);
    assert.match(summary, /clip-0\.wav: .*train\.tsv:2: the manifest says 1 s, the audio of clip-0\.wav is 2\.000 s long/);
    assert.match(summary, /clip-1\.wav: .*train\.tsv:3: the manifest says 500 s/);
    const path = /annotation: (\S+psl\.arrow) /.exec(run.out)![1];
    const table = readPslTable(path);
    const chunksOf = (filename: string) => table.filenames.filter((f) => f === filename).length;
    assert.equal(chunksOf("clip-0.wav") + chunksOf("clip-1.wav"), 0, "skipped clips are not annotated");
    assert.equal(chunksOf("clip-2.wav"), 2, "chunked by the audio's 2.0 s, not the manifest's 2.4 s");
    assert.equal(table.filenames.length, 5 * 2, "five 2-s clips, two 1-s chunks each");

    // A wider tolerance accepts clip-0 and chunks it by its audio (2 chunks, not 1).
    const tolerant = await psl("annotate", "--config", config, "--set", "data.durationTolerance=1.5");
    assert.equal(tolerant.code, 0, tolerant.err);
    const tolerantTable = readPslTable(/annotation: (\S+psl\.arrow) /.exec(tolerant.out)![1]);
    assert.equal(tolerantTable.filenames.filter((f) => f === "clip-0.wav").length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
