/**
 * Front-end benchmark: log-mel speed on one core (the kit is single-threaded JS), next to torchaudio's figure for
 * the same transform on the same machine when Debian's /usr/bin/python3 has torchaudio (torch limited to 1 thread);
 * plus resampling and feature-cache build/read rates. `psl bench` calls these; run alone with
 * `npx tsx bench/frontend.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { F_MAX, F_MIN, HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, TOP_DB, WIN_LENGTH, secondsToSamples } from "../lib/audio/frontend";
import { logMel } from "../lib/audio/melspec";
import { resample } from "../lib/audio/resample";
import { writeWav } from "../lib/audio/wav";
import { buildFeatureCache } from "../lib/data/feature-cache";
import { createRng, uniformNoise } from "../lib/data/random";
import { median } from "../lib/evaluation/median";
import { repoPath } from "../lib/io/repo-root";
import { chunkFrames, cutChunks } from "../lib/data/chunks";

export interface FrontEndBench {
  /** Seconds of audio turned into log-mels per second of compute (one core). */
  realtimeFactor: number;
  /** Median milliseconds for one 10 s clip. */
  msPer10sClip: number;
  /** Fastest repeat: the least disturbed by other processes on a shared machine. */
  minMsPer10sClip: number;
  /** CPU time (user + system) per 10 s clip: unaffected by waiting for a core on a loaded machine. */
  cpuMsPer10sClip: number;
  /** torchaudio MelSpectrogram + AmplitudeToDB on the same clip length, 1 thread (absent without torchaudio). */
  torchaudioMsPer10sClip?: number;
  /** The same in CPU time (process_time). */
  torchaudioCpuMsPer10sClip?: number;
  /** Median milliseconds to resample 10 s of 44.1 kHz audio to 16 kHz. */
  resampleMsPer10sAt44k: number;
}

/** Synthetic audio: uniform noise in [-0.5, 0.5); speed does not depend on the values. */
const noise = (samples: number, seed: number) => uniformNoise(samples, seed, -0.5, 0.5);
const TEN_SECONDS = secondsToSamples(10);

/** torchaudio's median wall ms and mean CPU ms per 10 s clip on one thread; undefined without torchaudio. */
export function torchaudioMsPer10sClip(): { wallMs: number; cpuMs: number } | undefined {
  if (!existsSync("/usr/bin/python3")) return undefined;
  // The transform's parameters come from lib/audio/frontend.ts, so torchaudio computes exactly what we compute.
  const args = [
    repoPath("bench", "reference", "torchaudio_melspec.py"),
    "--sample-rate", String(SAMPLE_RATE), "--n-fft", String(N_FFT), "--win-length", String(WIN_LENGTH), "--hop-length", String(HOP_LENGTH),
    "--n-mels", String(N_MELS), "--f-min", String(F_MIN), "--f-max", String(F_MAX), "--top-db", String(TOP_DB), "--samples", String(TEN_SECONDS),
  ];
  const run = spawnSync("/usr/bin/python3", args, {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
  });
  const [wallMs, cpuMs] = (run.stdout ?? "").trim().split(/\s+/).map(Number);
  return run.status === 0 && Number.isFinite(wallMs) && Number.isFinite(cpuMs) ? { wallMs, cpuMs } : undefined;
}

export async function benchFrontEnd(options: { repeats?: number; torchaudio?: boolean } = {}): Promise<FrontEndBench> {
  const repeats = options.repeats ?? 30;
  const clip = noise(TEN_SECONDS, 1);
  for (let i = 0; i < 5; i++) logMel(clip); // JIT warm-up
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    logMel(clip);
    times.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPer10sClip = (cpu.user + cpu.system) / 1000 / repeats;
  const msPer10sClip = median(times);
  const clip44 = noise(441000, 2);
  resample(clip44, 44100, SAMPLE_RATE);
  const resampleTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    resample(clip44, 44100, SAMPLE_RATE);
    resampleTimes.push(performance.now() - t);
  }
  const torch = options.torchaudio === false ? undefined : torchaudioMsPer10sClip();
  return {
    realtimeFactor: 10_000 / msPer10sClip,
    msPer10sClip,
    minMsPer10sClip: Math.min(...times),
    cpuMsPer10sClip,
    torchaudioMsPer10sClip: torch?.wallMs,
    torchaudioCpuMsPer10sClip: torch?.cpuMs,
    resampleMsPer10sAt44k: median(resampleTimes),
  };
}

export interface FeatureCacheBench {
  clips: number;
  /** Clips per second through decode (16-bit WAV) + log-mel + shard write. */
  buildClipsPerSecond: number;
  /** 2 s chunks read back per second (random order, by file offset). */
  chunkReadsPerSecond: number;
}

/** Builds a cache of `clips` synthetic 10 s 16-bit WAV clips in a temp folder, then reads random 2 s chunks. */
export async function benchFeatureCache(clips = 40): Promise<FeatureCacheBench> {
  const dir = mkdtempSync(join(tmpdir(), "psl-bench-cache-"));
  try {
    const rows = [];
    for (let i = 0; i < clips; i++) {
      const path = join(dir, `clip${i}.wav`);
      writeWav(path, noise(TEN_SECONDS, 100 + i), SAMPLE_RATE);
      rows.push({ filename: `clip${i}.wav`, labels: [0], duration: 10, path });
    }
    let t = performance.now();
    const cache = await buildFeatureCache(rows, join(dir, "cache"));
    const buildSeconds = (performance.now() - t) / 1000;
    const chunks = cutChunks(10, 2);
    const rng = createRng(3);
    const reads = 2000;
    t = performance.now();
    for (let i = 0; i < reads; i++) {
      const filename = rows[rng.int(clips)].filename;
      const { start, end } = chunkFrames(chunks[rng.int(chunks.length)], cache.clipFrames(filename));
      cache.readFrames(filename, start, end);
    }
    const readSeconds = (performance.now() - t) / 1000;
    cache.close();
    return { clips, buildClipsPerSecond: clips / buildSeconds, chunkReadsPerSecond: reads / readSeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  (async () => {
    const frontEnd = await benchFrontEnd();
    console.log(JSON.stringify({ frontEnd, featureCache: await benchFeatureCache() }, null, 2));
  })();
}
