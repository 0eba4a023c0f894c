"""Load a PSL Lab checkpoint (.safetensors written by the kit) into the PyTorch reference model.

    /usr/bin/python3 scripts/torch/kit_checkpoint.py model.safetensors [logmel.npy]

The kit stores model tensors in PyTorch layout under `model.<state-dict key>`, so this is a plain safetensors read
(parsed by hand here: Debian's python has no `safetensors` package) + load_state_dict. With a log-mel .npy
([T, 64] or [N, T, 64], the kit's time-major layout) it prints the clip probabilities, for cross-checking the kit.
"""
import json
import struct
import sys
import os

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psl_reference  # noqa: E402

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for key, info in header.items():
        begin, end = info["data_offsets"]
        array = np.frombuffer(raw[base + begin:base + end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[key] = torch.from_numpy(array.copy())
    return tensors, metadata


def load_kit_checkpoint(path):
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != "psl-lab-checkpoint":
        raise ValueError(f"{path}: not a PSL Lab checkpoint")
    config = json.loads(metadata["model_config"])
    model = psl_reference.build(config["numClasses"], config["widthMult"])
    state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing}, unexpected {unexpected}")
    return model.eval(), json.loads(metadata.get("meta", "{}"))


if __name__ == "__main__":
    model, meta = load_kit_checkpoint(sys.argv[1])
    print(f"loaded {sys.argv[1]}: {psl_reference.count_parameters(model)} parameters, meta {meta}")
    if len(sys.argv) > 2:
        x = torch.from_numpy(np.load(sys.argv[2]).astype(np.float32))
        if x.dim() == 2:
            x = x.unsqueeze(0)
        with torch.no_grad():
            clip, _ = model(x.transpose(1, 2))
        np.set_printoptions(precision=6, suppress=True)
        print(clip.numpy())
