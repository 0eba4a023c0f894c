"""PyTorch baseline for `psl bench`: the same MobileNetV2 (scripts/torch/psl_reference.py), same shapes, on the CPU
(default) or with --device cuda on a GPU (timed with torch.cuda.synchronize around each step / batch).
The input shapes (frames of a chunk and of a clip, mel bins) are passed by bench/pytorch.ts from lib/audio/frontend.ts.

Prints exactly one JSON object on stdout:
  {"torch": version, "threads": n, "trainStep": {batch, chunkSeconds, msMedian, chunksPerSecond, msAll, cpuMsAll},
   "inference": {batch, clipSeconds, msMedian, clipsPerSecond, cpuMsMedian}}
cpuMs*: CPU time of the process (time.process_time, all threads) per step: steadier than wall time on a loaded machine.
A training step = forward + BCE on soft targets + backward + Adam step (lr 1e-3), as the kit's trainer does.
Warm-up steps are excluded; the median over --steps timed steps is reported.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "torch"))
import psl_reference  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--chunk-seconds", type=float, default=2.0)
    parser.add_argument("--classes", type=int, default=527)
    parser.add_argument("--width-mult", type=float, default=1.0)
    parser.add_argument("--infer-batch", type=int, default=8)
    parser.add_argument("--infer-steps", type=int, default=3)
    parser.add_argument("--clip-seconds", type=float, default=10.0)
    parser.add_argument("--skip-inference", action="store_true")
    parser.add_argument("--frames", type=int, required=True, help="log-mel frames of one --chunk-seconds chunk")
    parser.add_argument("--clip-frames", type=int, required=True, help="log-mel frames of one --clip-seconds clip")
    parser.add_argument("--mel-bins", type=int, required=True)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    args = parser.parse_args()

    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = psl_reference.build(args.classes, args.width_mult).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCELoss()
    x = torch.randn(args.batch, args.mel_bins, args.frames, device=device)
    target = torch.rand(args.batch, args.classes, device=device)

    model.train()
    times = []
    cpu_times = []
    for i in range(args.warmup + args.steps):
        sync()
        start = time.perf_counter()
        cpu_start = time.process_time()
        optimizer.zero_grad(set_to_none=True)
        clip, _ = model(x)
        loss = loss_fn(clip, target)
        loss.backward()
        optimizer.step()
        sync()
        elapsed = time.perf_counter() - start
        if i >= args.warmup:
            times.append(elapsed * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
    train_ms = statistics.median(times)

    if args.skip_inference:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": args.device,
                          "trainStep": {"batch": args.batch, "chunkSeconds": args.chunk_seconds, "msMedian": train_ms,
                                        "chunksPerSecond": args.batch / (train_ms / 1000), "msAll": times,
                                        "cpuMsAll": cpu_times},
                          "inference": None}))
        return

    model.eval()
    xi = torch.randn(args.infer_batch, args.mel_bins, args.clip_frames, device=device)
    infer_times = []
    infer_cpu = []
    with torch.no_grad():
        for i in range(1 + args.infer_steps):
            sync()
            start = time.perf_counter()
            cpu_start = time.process_time()
            model(xi)[0].cpu()
            if i >= 1:
                infer_times.append((time.perf_counter() - start) * 1000)
                infer_cpu.append((time.process_time() - cpu_start) * 1000)
    infer_ms = statistics.median(infer_times)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "device": args.device,
        "trainStep": {"batch": args.batch, "chunkSeconds": args.chunk_seconds, "msMedian": train_ms,
                      "chunksPerSecond": args.batch / (train_ms / 1000), "msAll": times, "cpuMsAll": cpu_times},
        "inference": {"batch": args.infer_batch, "clipSeconds": args.clip_seconds, "msMedian": infer_ms,
                      "clipsPerSecond": args.infer_batch / (infer_ms / 1000), "cpuMsMedian": statistics.median(infer_cpu)},
    }))


if __name__ == "__main__":
    main()
