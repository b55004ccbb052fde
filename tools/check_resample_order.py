#!/usr/bin/env python3
"""Checks which pass order Pillow and torch use for a two-axis antialiased resize.

ImagePreprocessor (Sources/Models/Preprocessing) stores the first pass's result as uint8, as both
libraries do, so the order changes the output. Pillow 13 does not document its choice; this
script confirms the rule ImagePreprocessor.verticalFirst encodes on random size pairs and all
of Pillow's filters, and that torch's uint8 kernels always go horizontal first. Run it again
when the pinned Pillow or torch changes:

    /tmp/refenv/bin/python tools/check_resample_order.py
"""
import numpy as np
import PIL.Image
import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as F


def pillow_vertical_first(W, H, w, h) -> bool:
    """The rule ImagePreprocessor uses for the PIL backend."""
    return h < H and 2 * (W - w) < H - h


def main() -> None:
    rng = np.random.default_rng(0)
    filters = [PIL.Image.BILINEAR, PIL.Image.BICUBIC, PIL.Image.LANCZOS, PIL.Image.BOX, PIL.Image.HAMMING]
    trials = mismatches = 0
    for t in range(500):
        W, H = (int(v) for v in rng.integers(2, 400, 2))
        w, h = (int(v) for v in rng.integers(1, 600, 2))
        if w == W or h == H:
            continue
        f = filters[t % len(filters)]
        image = PIL.Image.fromarray(rng.integers(0, 256, (H, W, 3), dtype=np.uint8))
        direct = np.array(image.resize((w, h), f))
        horizontal_first = np.array(image.resize((w, H), f).resize((w, h), f))
        vertical_first = np.array(image.resize((W, h), f).resize((w, h), f))
        expected = vertical_first if pillow_vertical_first(W, H, w, h) else horizontal_first
        trials += 1
        if not np.array_equal(direct, expected):
            mismatches += 1
            print(f"Pillow: {W}x{H} -> {w}x{h} filter {f}: the rule picks the wrong order")
    print(f"Pillow {PIL.__version__}: {trials} size pairs, {mismatches} where the rule is wrong")

    trials = mismatches = 0
    for t in range(300):
        W, H = (int(v) for v in rng.integers(2, 300, 2))
        w, h = (int(v) for v in rng.integers(1, 400, 2))
        if w == W or h == H:
            continue
        mode = [InterpolationMode.BICUBIC, InterpolationMode.BILINEAR][t % 2]
        x = torch.from_numpy(rng.integers(0, 256, (3, H, W), dtype=np.uint8))
        direct = F.resize(x, [h, w], interpolation=mode, antialias=True)
        horizontal_first = F.resize(F.resize(x, [H, w], interpolation=mode, antialias=True), [h, w],
                                    interpolation=mode, antialias=True)
        trials += 1
        if not torch.equal(direct, horizontal_first):
            mismatches += 1
            print(f"torch: {W}x{H} -> {w}x{h} {mode}: not horizontal first")
    print(f"torch {torch.__version__}: {trials} size pairs, {mismatches} not horizontal first")


if __name__ == "__main__":
    main()
