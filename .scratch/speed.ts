import { initBackend, createTrainer } from "../lib/engine";
import { createMobileNetV2 } from "../lib/model/mobilenetv2";
async function main() {
  await initBackend({ quiet: true });
  for (const [w, frames] of [[0.1, 1001], [0.1, 201], [0.25, 1001], [0.5,1001]] as [number, number][]) {
    const m = createMobileNetV2({ numClasses: 527, widthMult: w }, 1);
    const tr = await createTrainer(m, { seed: 1, workers: "auto" });
    const B = 32;
    const input = new Float32Array(B * frames * 64).map(() => Math.random());
    const targets = new Float32Array(B * 527);
    await tr.step({ input, batchSize: B, frames, targets });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await tr.step({ input, batchSize: B, frames, targets });
    console.log(`width ${w} frames ${frames}: ${((Date.now() - t0) / 3000).toFixed(2)} s/step; params ${[...m.variables.values()].reduce((a, v) => a + v.size, 0)}`);
    await tr.dispose(); m.dispose();
  }
}
main();
