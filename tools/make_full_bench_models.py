#!/usr/bin/env python3
"""Writes the full-size, randomly initialised OWL-ViT B/32 and CLIPSeg rd64-refined checkpoints
`clipstream bench` and tools/bench-compare time, in Hugging Face layout with the exact key names
and shapes of the real ones (speed does not depend on weight values). Never committed: together
about 1.2 GB in float32. The CLIP ViT-B/32 one comes from tools/make_full_clip.py.

    /tmp/refenv/bin/python tools/make_full_bench_models.py /tmp   # -> /tmp/owlvit-b32-random,
                                                                  #    /tmp/clipseg-rd64-random

The configs are the ones ../shared/anchors/anchor_bench.py times: OwlViTConfig() defaults, and
CLIPSegConfig(vision_config={"patch_size": 16}, reduce_dim=64, extract_layers=[3, 6, 9],
use_complex_transposed_convolution=True).
"""
import os
import sys
from pathlib import Path

import torch
from transformers import (CLIPSegConfig, CLIPSegForImageSegmentation, OwlViTConfig,
                          OwlViTForObjectDetection, OwlViTImageProcessor, ViTImageProcessor)

REPO = Path(__file__).resolve().parents[1]


def link_tokenizer(out: Path) -> None:
    for name in ("vocab.json", "merges.txt"):
        link = out / name
        if not link.exists():
            os.symlink(REPO / "samples" / "tokenizer" / name, link)


@torch.no_grad()
def main(root: Path) -> None:
    torch.manual_seed(0)
    owl = root / "owlvit-b32-random"
    OwlViTForObjectDetection(OwlViTConfig()).eval().save_pretrained(owl, safe_serialization=True)
    OwlViTImageProcessor().save_pretrained(owl)
    link_tokenizer(owl)
    print(f"wrote {owl}")
    seg = root / "clipseg-rd64-random"
    cfg = CLIPSegConfig(vision_config={"patch_size": 16}, reduce_dim=64, extract_layers=[3, 6, 9],
                        use_complex_transposed_convolution=True)
    CLIPSegForImageSegmentation(cfg).eval().save_pretrained(seg, safe_serialization=True)
    # CLIPSegProcessor's image side: 352x352, CLIP mean and std.
    ViTImageProcessor(size={"height": 352, "width": 352}, resample=2,
                      image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(seg)
    link_tokenizer(seg)
    print(f"wrote {seg}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp"))
