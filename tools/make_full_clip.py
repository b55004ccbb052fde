#!/usr/bin/env python3
"""Writes a full-size, randomly initialised CLIP ViT-B/32 (transformers' CLIPConfig() defaults)
in Hugging Face layout, for load and speed measurements (speed does not depend on the values).
Never committed: about 600 MB in float32.

    /tmp/refenv/bin/python tools/make_full_clip.py /tmp/clip-vit-b32-random
    CLIPSTREAM_FULL_CLIP=/tmp/clip-vit-b32-random swift test -c release --filter FullSizeCLIPTests
    clipstream classify --model /tmp/clip-vit-b32-random --label cat --label dog \
        /tmp/clip-vit-b32-random/image-1280x720.png --json   # probs as in reference.json "image"

Also writes reference.json: transformers' logits_per_image for fixed token ids and pixel values,
and for a 1280x720 image (image-1280x720.rgb, raw RGB24) classified through CLIPProcessor with
two labels, so the run checks the full-size path against the reference too.
"""
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

REPO = Path(__file__).resolve().parents[1]


@torch.no_grad()
def main(out: Path) -> None:
    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    model = CLIPModel(CLIPConfig()).eval()
    model.save_pretrained(out, safe_serialization=True)
    CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}).save_pretrained(out)
    for name in ("vocab.json", "merges.txt"):
        link = out / name
        if not link.exists():
            os.symlink(REPO / "samples" / "tokenizer" / name, link)
    ids = torch.tensor([[49406, 320, 1125, 539, 320, 2368, 269, 49407],
                        [49406, 320, 1125, 539, 320, 1929, 49407, 49407]])
    mask = torch.tensor([[1] * 8, [1] * 7 + [0]])
    pixels = torch.randn((1, 3, 224, 224), generator=torch.Generator().manual_seed(1))
    start = time.perf_counter()
    result = model(input_ids=ids, attention_mask=mask, pixel_values=pixels)
    elapsed = time.perf_counter() - start
    # A 1280x720 frame through the processor, as `clipstream classify` would see it.
    h, w = 720, 1280
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rgb = np.stack([30 + 200 * x / w, 220 - 160 * y / h, 90 + 100 * (x * y) / (w * h)], axis=-1)
    rgb += np.random.RandomState(5).uniform(-10, 10, rgb.shape)
    rgb[100:400, 120:420] = (220, 40, 40)
    raw = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
    (out / "image-1280x720.rgb").write_bytes(raw.tobytes())
    Image.fromarray(raw, "RGB").save(out / "image-1280x720.png")  # the same pixels, for the CLI
    labels, template = ["cat", "dog"], "a photo of a {}."
    processor = CLIPProcessor.from_pretrained(out)
    inputs = processor(text=[template.format(l) for l in labels], images=Image.fromarray(raw, "RGB"),
                       return_tensors="pt", padding=True)
    start = time.perf_counter()
    classified = model(**inputs)
    classify_seconds = time.perf_counter() - start
    (out / "reference.json").write_text(json.dumps({
        "image": {"file": "image-1280x720.rgb", "width": w, "height": h, "labels": labels, "template": template,
                  "logits_per_image": classified.logits_per_image.flatten().tolist(),
                  "probs": classified.logits_per_image.softmax(-1).flatten().tolist(),
                  "torch_forward_seconds": classify_seconds},
        "input_ids": ids.tolist(), "attention_mask": mask.tolist(),
        "pixel_values": {"shape": list(pixels.shape), "data": pixels.flatten().tolist()},
        "logits_per_image": result.logits_per_image.flatten().tolist(),
        "image_embeds": result.image_embeds.flatten().tolist(),
        "torch_forward_seconds": elapsed, "torch_threads": torch.get_num_threads(),
    }))
    print(f"wrote {out}; torch forward (2 texts + 1 image) {elapsed * 1000:.1f} ms on {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/clip-vit-b32-random"))
