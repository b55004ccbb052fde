#!/usr/bin/env python3
"""The shapes world: seeded images and videos of coloured shapes with exact ground truth.

The world (issue 8, kept to the letter):
  shapes circle, square, triangle, star; colours red, green, blue, yellow, white (RGB below);
  backgrounds flat dark or grey colours, or a vertical/horizontal gradient between two such
  colours, optionally with uniform noise of +-12 grey levels; 1 to 4 filled objects per scene,
  each 10% to 40% of the shorter image side, which may overlap; in videos they move in straight
  lines at constant speed and enter and leave the frame. Phrases are "<colour> <shape>".

An object's size is its nominal extent: the circle's diameter, the square's side, the
equilateral triangle's side, the five-pointed star's outer diameter. Shapes are drawn by exact
pixel-centre tests (no anti-aliasing), so a mask is exactly the pixels that carry the colour.

Usage:
  shapes_world.py images --seed 1 --count 200 --size 128x128 --out /tmp/shapes/eval [--objects 1-4]
  shapes_world.py video  --demo --out samples/shapes.mp4 --truth samples/shapes.truth.json
  shapes_world.py video  --seed 3 --seconds 10 --size 320x240 --out v.mp4 --truth v.json [--masks]
"""
import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np

COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 180, 70),
    "blue": (40, 80, 220),
    "yellow": (235, 210, 40),
    "white": (240, 240, 240),
}
SHAPES = ["circle", "square", "triangle", "star"]
PHRASES = [f"{c} {s}" for c in COLOURS for s in SHAPES]
FPS = 25
# A phrase counts as visible in a frame when one of its objects shows at least this fraction of
# its area (inside the frame and not hidden by objects drawn over it): an entering object is
# "there" once half of it is in view, which is where a detector's decision flips.
VISIBLE_FRACTION = 0.5
NOISE = 12


def background_colour(rng):
    """A flat dark colour (slightly tinted) or a neutral grey."""
    if rng.random() < 0.5:
        base = rng.integers(10, 50)
        return tuple(int(np.clip(base + rng.integers(-8, 9), 0, 255)) for _ in range(3))
    g = int(rng.integers(60, 150))
    return (g, g, g)


def random_background(rng):
    kind = ["flat", "vertical", "horizontal"][rng.integers(0, 3)]
    return {"kind": kind, "from": background_colour(rng), "to": background_colour(rng),
            "noise": bool(rng.random() < 0.5), "noise_seed": int(rng.integers(0, 2**31))}


def render_background(bg, width, height):
    a = np.array(bg["from"], np.float32)
    b = np.array(bg["to"], np.float32)
    if bg["kind"] == "flat":
        img = np.broadcast_to(a, (height, width, 3)).copy()
    else:
        n = height if bg["kind"] == "vertical" else width
        t = (np.arange(n, dtype=np.float32) / max(n - 1, 1))[:, None]
        ramp = a * (1 - t) + b * t
        img = np.broadcast_to(ramp[:, None, :] if bg["kind"] == "vertical" else ramp[None, :, :],
                              (height, width, 3)).copy()
    if bg["noise"]:
        noise = np.random.default_rng(bg["noise_seed"]).integers(-NOISE, NOISE + 1, (height, width, 1))
        img = img + noise  # the same grey-level offset on every channel
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def star_polygon(cx, cy, size):
    outer, inner = size / 2, size / 2 * 0.45
    pts = []
    for k in range(10):
        r = outer if k % 2 == 0 else inner
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def triangle_polygon(cx, cy, size):
    h = size * math.sqrt(3) / 2
    return [(cx, cy - h / 2), (cx + size / 2, cy + h / 2), (cx - size / 2, cy + h / 2)]


def polygon_area(pts):
    return 0.5 * abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1])))


def inside_polygon(px, py, pts):
    """Even-odd rule on pixel centres (px, py are broadcastable grids)."""
    inside = np.zeros(np.broadcast(px, py).shape, bool)
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
        crosses = (y0 > py) != (y1 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (px < xcross)
    return inside


def shape_mask(obj, width, height):
    """(mask over the image, full area in pixels including any part outside the image).
    Only the object's bounding window is tested, so large frames cost little."""
    cx, cy, s = obj["cx"], obj["cy"], obj["size"]
    mask = np.zeros((height, width), bool)
    x0, x1 = max(0, int(math.floor(cx - s / 2))), min(width, int(math.ceil(cx + s / 2)) + 1)
    y0, y1 = max(0, int(math.floor(cy - s / 2))), min(height, int(math.ceil(cy + s / 2)) + 1)
    px = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5
    py = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
    if obj["shape"] == "circle":
        inside, area = (px - cx) ** 2 + (py - cy) ** 2 <= (s / 2) ** 2, math.pi * s * s / 4
    elif obj["shape"] == "square":
        inside, area = (np.abs(px - cx) <= s / 2) & (np.abs(py - cy) <= s / 2), s * s
    else:
        pts = triangle_polygon(cx, cy, s) if obj["shape"] == "triangle" else star_polygon(cx, cy, s)
        inside, area = inside_polygon(px, py, pts), polygon_area(pts)
    if x1 > x0 and y1 > y0:
        mask[y0:y1, x0:x1] = inside
    return mask, area


def phrase(obj):
    return f"{obj['colour']} {obj['shape']}"


def box_of(mask):
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def render(scene, width, height):
    """Returns (rgb HxWx3 uint8, per-object truth list). Objects are drawn in list order, so a
    later object hides an earlier one where they overlap."""
    img = render_background(scene["background"], width, height)
    full = []
    for obj in scene["objects"]:
        mask, area = shape_mask(obj, width, height)
        img[mask] = COLOURS[obj["colour"]]
        full.append((mask, area))
    truth = []
    covered = np.zeros((height, width), bool)
    for obj, (mask, area) in reversed(list(zip(scene["objects"], full))):
        visible = mask & ~covered
        covered |= mask
        truth.append({"phrase": phrase(obj), "box": box_of(mask), "visible_box": box_of(visible),
                      "visible_fraction": round(min(1.0, visible.sum() / area), 4), "mask": visible})
    return img, truth[::-1]


def random_object(rng, width, height, partial=False):
    short = min(width, height)
    size = float(rng.uniform(0.10, 0.40) * short)
    obj = {"colour": list(COLOURS)[rng.integers(0, 5)], "shape": SHAPES[rng.integers(0, 4)],
           "size": round(size, 3),
           "cx": round(float(rng.uniform(size / 2, width - size / 2)), 3),
           "cy": round(float(rng.uniform(size / 2, height - size / 2)), 3)}
    if partial and rng.random() < 0.5:
        # Half the objects of a partial scene straddle a border, their centre within half their
        # size of it on either side, so every share of them shows, from a sliver to all of it, as
        # when objects enter and leave a video. (Drawn anywhere up to a quarter over the border
        # instead, nothing under ~25% ever showed, and the detector fired on slivers it had
        # never been shown as negatives.)
        edge, offset = int(rng.integers(0, 4)), float(rng.uniform(-size / 2, size / 2))
        key, extent = ("cx", width) if edge < 2 else ("cy", height)
        obj[key] = round(offset if edge % 2 == 0 else extent - offset, 3)
    return obj


def random_scene(rng, width, height, objects=(1, 4), partial=False):
    n = int(rng.integers(objects[0], objects[1] + 1))
    return {"background": random_background(rng),
            "objects": [random_object(rng, width, height, partial) for _ in range(n)]}


def caption(phrases):
    """"a red circle", "a blue square and a yellow star", "a red circle, a ... and a ..."."""
    items = [f"a {p}" for p in phrases]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def rle(mask):
    """Row-major run lengths; the first run counts zeros (0 when the first pixel is set)."""
    flat = mask.reshape(-1)
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate([[0], change, [flat.size]])).tolist()
    return [0] + runs if flat[0] else runs


def unrle(counts, width, height):
    flat = np.zeros(width * height, bool)
    pos, value = 0, False
    for c in counts:
        flat[pos:pos + c] = value
        pos, value = pos + c, not value
    return flat.reshape(height, width)


def phrase_masks(truth, width, height):
    """Union of the visible pixels of each phrase's objects."""
    out = {}
    for t in truth:
        out.setdefault(t["phrase"], np.zeros((height, width), bool))
        out[t["phrase"]] |= t["mask"]
    return out


def image_record(name, scene, truth, width, height):
    masks = phrase_masks(truth, width, height)
    present = sorted({t["phrase"] for t in truth if t["visible_fraction"] > 0})
    return {"file": name, "width": width, "height": height, "scene": scene,
            "caption": caption([p for p in dict.fromkeys(phrase(o) for o in scene["objects"])]),
            "objects": [{k: v for k, v in t.items() if k != "mask"} for t in truth],
            "phrases": present, "masks": {p: rle(masks[p]) for p in present}}


def scene_rng(seed, index):
    return np.random.default_rng([seed, index])


def write_png(path, rgb):
    from PIL import Image
    Image.fromarray(rgb).save(path)


def make_images(seed, count, width, height, out, objects=(1, 4), partial=False):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    records = []
    for i in range(count):
        scene = random_scene(scene_rng(seed, i), width, height, objects, partial)
        img, truth = render(scene, width, height)
        name = f"{i:06d}.png"
        write_png(out / name, img)
        records.append(image_record(name, scene, truth, width, height))
    meta = {"generator": "tools/shapes_world.py", "seed": seed, "phrases": PHRASES,
            "mask_encoding": "row-major run lengths, first run is zeros", "images": records}
    (out / "truth.json").write_text(json.dumps(meta, separators=(",", ":")) + "\n")
    return meta


# ---- videos -------------------------------------------------------------------------------

def mover(colour, shape, size, enter_at, start, end, speed):
    """An object that crosses the frame in a straight line from `start` to `end` (centre points,
    normally outside the frame) at `speed` px/s, being at `start` at time `enter_at`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    vx, vy = dx / length * speed, dy / length * speed
    return {"colour": colour, "shape": shape, "size": size,
            "cx0": start[0] - vx * enter_at, "cy0": start[1] - vy * enter_at, "vx": vx, "vy": vy}


def outside_point(rng, width, height, size, edge):
    off = size / 2 + 1
    if edge == 0:
        return (-off, float(rng.uniform(0, height)))
    if edge == 1:
        return (width + off, float(rng.uniform(0, height)))
    if edge == 2:
        return (float(rng.uniform(0, width)), -off)
    return (float(rng.uniform(0, width)), height + off)


def random_movers(rng, width, height, seconds):
    movers = []
    for _ in range(int(rng.integers(1, 5))):
        o = random_object(rng, width, height)
        edge = int(rng.integers(0, 4))
        start = outside_point(rng, width, height, o["size"], edge)
        end = outside_point(rng, width, height, o["size"], edge ^ 1)
        speed = math.hypot(end[0] - start[0], end[1] - start[1]) / rng.uniform(2, 6)
        movers.append(mover(o["colour"], o["shape"], o["size"], float(rng.uniform(0, max(seconds - 2, 0.1))),
                            start, end, speed))
    return movers


def demo_movers(width, height):
    """The sample video's script: phrases enter and leave at known times, one reappears, and
    objects visible at the same time never overlap."""
    w, h = width, height
    s = 0.16 * min(w, h)
    return [
        mover("red", "circle", s, 0.5, (-s, 0.25 * h), (w + s, 0.25 * h), 150),
        mover("blue", "square", s, 2.5, (0.72 * w, -s), (0.72 * w, h + s), 110),
        mover("yellow", "star", 1.15 * s, 5.0, (w + s, 0.7 * h), (-s, 0.7 * h), 130),
        mover("green", "triangle", s, 7.0, (-s, h + s), (w + s, -s), 160),
        mover("white", "circle", 0.9 * s, 9.5, (-s, 0.5 * h), (w + s, 0.5 * h), 140),
        mover("red", "circle", 1.1 * s, 12.0, (w + s, 0.25 * h), (-s, 0.25 * h), 150),
        mover("blue", "square", 0.9 * s, 12.5, (0.3 * w, h + s), (0.3 * w, -s), 90),
    ]


def video_scene(background, movers, t):
    objects = [{"colour": m["colour"], "shape": m["shape"], "size": m["size"],
                "cx": m["cx0"] + m["vx"] * t, "cy": m["cy0"] + m["vy"] * t} for m in movers]
    return {"background": background, "objects": objects}


def intervals(visible_frames, frames):
    """Runs of consecutive frames as [first, last] (inclusive)."""
    runs, start = [], None
    for f in range(frames + 1):
        on = f < frames and f in visible_frames
        if on and start is None:
            start = f
        elif not on and start is not None:
            runs.append([start, f - 1])
            start = None
    return runs


def make_video(out, truth_path, width, height, seconds, background, movers, masks=False, crf=23):
    frames = int(round(seconds * FPS))
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
           "-framerate", str(FPS), "-i", "-", "-c:v", "libx264", "-preset", "medium", "-crf", str(crf),
           "-pix_fmt", "yuv420p", "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
           "-map_metadata", "-1", "-movflags", "+faststart", str(out)]
    enc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    per_frame, seen = [], {p: set() for p in PHRASES}
    for f in range(frames):
        img, truth = render(video_scene(background, movers, f / FPS), width, height)
        enc.stdin.write(img.tobytes())
        visible = sorted({t["phrase"] for t in truth if t["visible_fraction"] >= VISIBLE_FRACTION})
        for p in visible:
            seen[p].add(f)
        row = {"frame": f, "pts": round(f / FPS, 6), "visible": visible,
               "objects": [{k: v for k, v in t.items() if k != "mask"} for t in truth if t["box"]]}
        if masks:
            row["masks"] = {p: rle(m) for p, m in phrase_masks(truth, width, height).items() if m.any()}
        per_frame.append(row)
    enc.stdin.close()
    if enc.wait() != 0:
        sys.exit(f"shapes_world.py: ffmpeg failed writing {out}.")
    events = {p: [{"start_frame": a, "end_frame": b, "start_pts": a / FPS, "end_pts": b / FPS}
                  for a, b in intervals(seen[p], frames)] for p in PHRASES}
    truth = {"generator": "tools/shapes_world.py", "video": Path(out).name, "width": width, "height": height,
             "fps": FPS, "frames": frames, "visible_fraction": VISIBLE_FRACTION,
             "note": "a phrase is visible in a frame when one of its objects shows at least visible_fraction "
                     "of its area; intervals are inclusive frame ranges",
             "phrases": PHRASES,
             "present": [p for p in PHRASES if events[p]], "absent": [p for p in PHRASES if not events[p]],
             "intervals": {p: v for p, v in events.items() if v},
             "background": background, "movers": movers, "frames_truth": per_frame}
    Path(truth_path).write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return truth


def parse_size(text):
    w, h = text.lower().split("x")
    return int(w), int(h)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    im = sub.add_parser("images")
    im.add_argument("--seed", type=int, required=True)
    im.add_argument("--count", type=int, required=True)
    im.add_argument("--size", default="128x128")
    im.add_argument("--objects", default="1-4", help="range of objects per scene, e.g. 1-1")
    im.add_argument("--partial", action="store_true", help="let objects run over the image border")
    im.add_argument("--out", required=True)
    vd = sub.add_parser("video")
    vd.add_argument("--demo", action="store_true", help="the scripted sample video")
    vd.add_argument("--seed", type=int, default=0)
    vd.add_argument("--seconds", type=float, default=16)
    vd.add_argument("--size", default="320x240")
    vd.add_argument("--masks", action="store_true", help="add per-frame phrase masks to the truth")
    vd.add_argument("--out", required=True)
    vd.add_argument("--truth", required=True)
    a = ap.parse_args(argv)
    w, h = parse_size(a.size)
    if a.cmd == "images":
        lo, hi = (int(x) for x in a.objects.split("-"))
        make_images(a.seed, a.count, w, h, a.out, (lo, hi), a.partial)
    elif a.demo:
        bg = {"kind": "vertical", "from": [28, 30, 44], "to": [96, 96, 96], "noise": True, "noise_seed": 8}
        make_video(a.out, a.truth, w, h, a.seconds, bg, demo_movers(w, h), a.masks)
    else:
        rng = np.random.default_rng([a.seed, 1 << 20])
        make_video(a.out, a.truth, w, h, a.seconds, random_background(rng), random_movers(rng, w, h, a.seconds),
                   a.masks)


if __name__ == "__main__":
    main()
