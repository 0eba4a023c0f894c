"""PyTorch equivalent of the reference MobileNetV2_DM (RicherMans/PSL), front-end excluded.

Written independently for this project (the reference is GPL; nothing is copied): it only has to
reproduce the reference's *architecture* and *state_dict key names* so that reference checkpoints
load into it (and into the TypeScript kit) and so PyTorch can serve as a speed/parity baseline.

Input: log-mel spectrogram [B, F=64, T] (the reference computes it inside the model; here it stays
outside so that both implementations get bit-identical inputs).
Output: (clip probabilities [B, C], frame probabilities [B, T', C]), T' = ceil(T / 32) roughly.

Key layout (matches the reference):
  features.0.0.weight / features.0.1.*            stem: 3x3 conv stride 2 + BN (+ReLU6)
  features.{1..17}.conv.*                        inverted residual blocks
  features.18.0.weight / features.18.1.*         1x1 conv to last_channel + BN (+ReLU6)
  features.19                                    AdaptiveAvgPool2d((1, None)) -> mean over frequency
  classifier.1.weight / classifier.1.bias        Linear after Dropout(0.3)
"""
from typing import List, Tuple

import torch
import torch.nn as nn

# (expansion t, output channels c, repeats n, first stride s) of MobileNetV2.
BLOCK_SETTINGS = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def conv_bn_relu6(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    # Sequential so the state-dict keys read `<i>.0.weight` (conv) and `<i>.1.*` (BN), like the reference.
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expansion: int):
        super().__init__()
        hidden = int(round(cin * expansion))
        self.residual = stride == 1 and cin == cout
        parts: List[nn.Module] = []
        if expansion != 1:
            parts.append(conv_bn_relu6(cin, hidden, kernel=1))
        parts.append(conv_bn_relu6(hidden, hidden, kernel=3, stride=stride, groups=hidden))
        parts.append(nn.Conv2d(hidden, cout, 1, 1, 0, bias=False))
        parts.append(nn.BatchNorm2d(cout))
        self.conv = nn.Sequential(*parts)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        return x + y if self.residual else y


class PslMobileNetV2(nn.Module):
    def __init__(self, num_classes: int = 527, width_mult: float = 1.0):
        super().__init__()
        channels = int(32 * width_mult)
        last_channel = int(1280 * width_mult) if width_mult > 1.0 else 1280
        layers: List[nn.Module] = [conv_bn_relu6(1, channels, kernel=3, stride=2)]
        for t, c, n, s in BLOCK_SETTINGS:
            out = int(c * width_mult)
            for i in range(n):
                layers.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
                channels = out
        layers.append(conv_bn_relu6(channels, last_channel, kernel=1))
        layers.append(nn.AdaptiveAvgPool2d((1, None)))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.3), nn.Linear(last_channel, num_classes))
        self.last_channel = last_channel
        self.apply(_init)

    def forward(self, logmel: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        # logmel: [B, F, T] -> [B, 1, F, T]
        x = self.features(logmel.unsqueeze(1))  # [B, C, 1, T']
        x = x.flatten(2).transpose(1, 2)  # [B, T', C]
        frames = torch.sigmoid(self.classifier(x))
        return frames.mean(1), frames


def _init(m: nn.Module) -> None:
    if isinstance(m, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0.0, 0.01)
        nn.init.zeros_(m.bias)


def build(num_classes: int = 527, width_mult: float = 1.0) -> PslMobileNetV2:
    return PslMobileNetV2(num_classes=num_classes, width_mult=width_mult)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    model = build().eval()
    n = count_parameters(model)
    print(f"parameters: {n}")
    assert n == 2_898_383, n
    clip, frames = model(torch.randn(2, 64, 1001))
    print("clip", tuple(clip.shape), "frames", tuple(frames.shape))
