"""torchaudio's figure for the front-end benchmark (bench/frontend.ts): MelSpectrogram + AmplitudeToDB on one clip of
uniform noise, torch limited to 1 thread. The transform's parameters are passed by bench/frontend.ts from
lib/audio/frontend.ts, so both sides compute the same log-mel.

Prints two numbers on stdout: the median wall milliseconds of --repeats runs and the mean CPU milliseconds (process_time).
"""
import argparse
import statistics
import time

import torch
import torchaudio


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("sample-rate", "n-fft", "win-length", "hop-length", "n-mels", "samples"):
        parser.add_argument(f"--{name}", type=int, required=True)
    for name in ("f-min", "f-max", "top-db"):
        parser.add_argument(f"--{name}", type=float, required=True)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    torch.set_num_threads(1)
    mel = torch.nn.Sequential(
        torchaudio.transforms.MelSpectrogram(sample_rate=args.sample_rate, n_fft=args.n_fft, win_length=args.win_length,
                                             hop_length=args.hop_length, n_mels=args.n_mels, f_min=args.f_min,
                                             f_max=args.f_max, power=2.0, center=True, pad_mode="reflect", norm=None,
                                             mel_scale="htk"),
        torchaudio.transforms.AmplitudeToDB(stype="power", top_db=args.top_db))
    x = torch.rand(1, args.samples) - 0.5
    times = []
    with torch.no_grad():
        for _ in range(args.warmup):
            mel(x)
        cpu = time.process_time()
        for _ in range(args.repeats):
            start = time.perf_counter()
            mel(x)
            times.append((time.perf_counter() - start) * 1000)
        cpu = (time.process_time() - cpu) * 1000 / args.repeats
    print(statistics.median(times), cpu)


if __name__ == "__main__":
    main()
