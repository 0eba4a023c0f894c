/**
 * Child process for crash-resume.test.ts (run through tsx, killed with SIGKILL by the parent).
 *   features <manifest> <cacheDir>   builds the feature cache one clip per shard, printing "clip <n>" after each
 *                                    (with a short pause, so that the parent's kill lands mid-build)
 *   psl <args…>                      runs the CLI in-process (train-teacher / annotate …), exit code = main's
 *   atomic-write <path> <MiB>        rewrites <path> atomically forever, write n filled with byte n % 256, printing
 *                                    "wrote <n>" after each (the parent kills it mid-write)
 */
import { buildFeatureCache } from "../../lib/data/feature-cache";
import { readManifest } from "../../lib/data/manifest";
import { main } from "../../lib/cli";
import { writeFileAtomic } from "../../lib/io/atomic";

async function run(): Promise<number> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === "features") {
    const [manifest, cacheDir] = rest;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const cache = await buildFeatureCache(readManifest(manifest), cacheDir, {
      shardBytes: 1, // commit a shard after every clip: many commit points to be killed between (or inside)
      onProgress: (p) => {
        process.stdout.write(`clip ${p.done}\n`);
        Atomics.wait(pause, 0, 0, 25);
      },
    });
    process.stdout.write(`cached ${cache.filenames.length} skipped ${cache.skipped.length}\n`);
    return 0;
  }
  if (mode === "psl") return main(rest);
  if (mode === "atomic-write") {
    const [path, mib] = rest;
    const payload = new Uint8Array(Number(mib) * 2 ** 20);
    payload.fill(1);
    for (let n = 1; ; n++) {
      writeFileAtomic(path, payload);
      // The next payload is ready before the line goes out, so a kill sent on seeing it lands inside the next write.
      payload.fill((n + 1) % 256);
      process.stdout.write(`wrote ${n}\n`);
    }
  }
  throw new Error(`crash-child: unknown mode ${mode}`);
}

run().then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(1);
});
