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
  shapes_world.py places --truth v.json --pipeline pipelines/shapes-zones.yaml [--out places.json]
  shapes_world.py selftest
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
    return img, occlusion_truth(scene["objects"], full, width, height)


def object_truth(objects, width, height):
    """The per-object truth of `render` without drawing anything (same list order)."""
    return occlusion_truth(objects, [shape_mask(o, width, height) for o in objects], width, height)


def occlusion_truth(objects, full, width, height):
    truth = []
    covered = np.zeros((height, width), bool)
    for obj, (mask, area) in reversed(list(zip(objects, full))):
        visible = mask & ~covered
        covered |= mask
        truth.append({"phrase": phrase(obj), "box": box_of(mask), "visible_box": box_of(visible),
                      "visible_fraction": round(min(1.0, visible.sum() / area), 4), "mask": visible})
    return truth[::-1]


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


# ---- zones, lines and per-object truth -------------------------------------------------------
# The rules users see are docs/tracking.md's; the truth applies them to the objects' own
# geometry instead of a tracker's boxes: an object's box is the box of its pixels inside the
# frame (occlusion ignored, as a detector draws it whole), its anchor that box's bottom-centre
# (or centre), and it is observed on the sampled frames where it is in view (at least
# VISIBLE_FRACTION of its area showing, the rule the detector was trained to and the presence
# truth uses). A truth event the contract's inertia or hysteresis could not confirm from these
# observations, or one within END_SLACK of a segment's end, is marked `"sure": false`: it is
# neither required of a run nor counted against one.

ANCHORS = {"bottom-center": lambda b: ((b[0] + b[2]) / 2, float(b[3])),
           "center": lambda b: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)}
# A path meeting the line this close to a segment's end (a fraction of the segment's length)
# is a crossing one pixel of detector jitter may turn into a near miss, or the reverse.
END_SLACK = 0.03
LINE_CONFIRM_FRAMES = 2   # docs/tracking.md: 2 frames on the new side, past the margin
LINE_MARGIN_FRACTION = 0.1


def resolve_points(points, units, width, height):
    if units == "relative":
        return [(float(x) * width, float(y) * height) for x, y in points]
    return [(float(x), float(y)) for x, y in points]


def in_zone(p, polygon):
    """docs/tracking.md's rule: even-odd, a point on a left or top edge inside, on a right or
    bottom edge outside (inside_polygon's half-open tests give exactly that)."""
    return bool(inside_polygon(np.float64(p[0]), np.float64(p[1]), polygon))


def line_side(a, b, p):
    """(b - a) x (p - a) in pixels, x right, y down: > 0 on the side a crossing `in` leaves."""
    return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])


def segment_parameter(a, b, p, q):
    """Where the chord p->q meets the line through a, b, as a fraction of a->b (0 at a, 1 at b);
    None when they are parallel."""
    rx, ry, sx, sy = b[0] - a[0], b[1] - a[1], q[0] - p[0], q[1] - p[1]
    denom = rx * sy - ry * sx
    if denom == 0:
        return None
    return ((p[0] - a[0]) * sy - (p[1] - a[1]) * sx) / denom


def object_observations(movers, width, height, frames, every=1):
    """Per object: its label and [(frame, pts, box)] on the sampled frames it is in view, with
    the frames it is partly in view (box present, under VISIBLE_FRACTION) as `partial`."""
    objs = [{"object": i, "label": f"{m['colour']} {m['shape']}", "seen": [], "partial": []}
            for i, m in enumerate(movers)]
    for f in range(0, frames, every):
        for o, t in zip(objs, object_truth(video_scene(None, movers, f / FPS)["objects"], width, height)):
            if t["box"] is None:
                continue
            row = (f, round(f / FPS, 6), t["box"])
            (o["seen"] if t["visible_fraction"] >= VISIBLE_FRACTION else o["partial"]).append(row)
    return objs


def visits(seen, every, max_lost_seconds):
    """The observations split where the object is out of view longer than a track survives."""
    out, gap = [], max_lost_seconds * FPS
    for row in seen:
        if out and row[0] - out[-1][-1][0] - every <= gap:
            out[-1].append(row)
        else:
            out.append([row])
    return out


def zone_truth(visit, zone, label, object_id, inertia):
    """enter/exit of one visit: enter at the first frame inside, exit at the first frame
    outside again, or at the last frame seen when the visit ends inside."""
    poly, anchor = zone["polygon_px"], ANCHORS[zone.get("anchor", "bottom-center")]
    inside = [in_zone(anchor(box), poly) for _, _, box in visit]
    runs, k = [], 0   # (value, first index, length)
    while k < len(inside):
        j = k
        while j < len(inside) and inside[j] == inside[k]:
            j += 1
        runs.append((inside[k], k, j - k))
        k = j
    events = []
    for r, (value, first, length) in enumerate(runs):
        if not value:
            continue
        after = runs[r + 1] if r + 1 < len(runs) else None
        short_stay = length < inertia
        base = {"kind": "zone", "zone": zone["name"], "object": object_id, "label": label}
        events.append({**base, "event": "enter", "frame": visit[first][0], "pts": visit[first][1],
                       "sure": not short_stay})
        if after is None:
            last = visit[first + length - 1]
            events.append({**base, "event": "exit", "frame": last[0], "pts": last[1], "sure": not short_stay,
                           "at_end_of_view": True})
        else:
            # An excursion outside shorter than the inertia is no exit for a tracker, unless the
            # object leaves view during it (the track then ends and exits anyway).
            brief = after[2] < inertia and after[1] + after[2] < len(visit)
            row = visit[after[1]]
            events.append({**base, "event": "exit", "frame": row[0], "pts": row[1], "sure": not (short_stay or brief)})
    return events


def line_truth(visit, line, label, object_id):
    """Crossings of one visit: the anchor's chord from its last point on one side of the line to
    its first on the other cuts the segment; `in` from the positive side (DESIGN.md)."""
    a, b = line["points_px"]
    anchor = ANCHORS[line.get("anchor", "bottom-center")]
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    rows = []
    for f, pts, box in visit:
        p = anchor(box)
        margin = max(1.0, LINE_MARGIN_FRACTION * min(box[2] - box[0], box[3] - box[1]))
        rows.append((f, pts, p, line_side(a, b, p) / length, margin))
    # last: index of the last row strictly on a side; held: the side a tracker's hysteresis
    # holds (+1/-1, None before the anchor has been past the margin).
    events, last, held = [], None, None
    for k, (f, pts, p, dist, margin) in enumerate(rows):
        if dist == 0:
            continue
        sign = 1 if dist > 0 else -1
        if last is not None and (rows[last][3] > 0) != (dist > 0):
            # Confirmable: the hysteresis held the old side, and the anchor is past the margin
            # on the new side on LINE_CONFIRM_FRAMES frames before turning back.
            new = []
            for r in rows[k:]:
                if r[3] != 0 and (r[3] > 0) != (dist > 0):
                    break
                new.append(r)
            confirmed = held == -sign and sum(abs(r[3]) >= r[4] for r in new) >= LINE_CONFIRM_FRAMES
            t = segment_parameter(a, b, rows[last][2], p)
            if t is not None and -END_SLACK <= t <= 1 + END_SLACK:
                inner = END_SLACK <= t <= 1 - END_SLACK
                event = {"kind": "line", "line": line["name"], "object": object_id, "label": label,
                         "event": "cross", "direction": "in" if sign < 0 else "out",
                         "frame": f, "pts": pts, "sure": bool(inner and confirmed)}
                if not 0 <= t <= 1:
                    event.update(sure=False, near_miss=True)
                events.append(event)
            if confirmed:
                held = sign
        if held is None and abs(dist) >= margin:
            held = sign
        last = k
    return events


def without(d, key):
    return {k: v for k, v in d.items() if k != key}


def place_truth(movers, width, height, frames, zones, lines, every=1, inertia_default=3, max_lost_seconds=1.0):
    """Truth events (zone enter/exit, line cross) per object, plus each object's observed boxes
    (the per-object truth a tracker is measured against)."""
    zones = [{**z, "polygon_px": resolve_points(z["polygon"], z.get("units", "pixels"), width, height)} for z in zones]
    lines = [{**l, "points_px": resolve_points(l["points"], l.get("units", "pixels"), width, height)} for l in lines]
    objects, events = [], []
    for o in object_observations(movers, width, height, frames, every):
        for visit in visits(o["seen"], every, max_lost_seconds):
            for z in zones:
                if z.get("labels") is None or o["label"] in z["labels"]:
                    events += zone_truth(visit, z, o["label"], o["object"], z.get("inertia", inertia_default))
            for l in lines:
                if l.get("labels") is None or o["label"] in l["labels"]:
                    events += line_truth(visit, l, o["label"], o["object"])
        objects.append({"object": o["object"], "label": o["label"],
                        "boxes": [[f] + box for f, _, box in o["seen"]],
                        "partial_boxes": [[f] + box for f, _, box in o["partial"]]})
    events.sort(key=lambda e: (e["frame"], e["object"]))
    return {"every": every, "fps": FPS, "anchor_rule": "docs/tracking.md",
            "note": "object boxes are [frame, x0, y0, x1, y1] on the sampled frames the object shows at least "
                    "visible_fraction of its area (partial_boxes: less); events with sure=false are neither "
                    "required nor counted as false",
            "visible_fraction": VISIBLE_FRACTION, "zones": [without(z, "polygon_px") for z in zones],
            "lines": [without(l, "points_px") for l in lines], "objects": objects, "events": events}


def read_places(pipeline):
    """The zones and lines of a pipeline file (DESIGN.md's keys), and its sampling step."""
    import yaml
    try:
        spec = yaml.safe_load(Path(pipeline).read_text()) or {}
    except (OSError, yaml.YAMLError) as e:
        sys.exit(f"shapes_world.py: cannot read the pipeline file {pipeline}: {e}.")
    if not spec.get("zones") and not spec.get("lines"):
        sys.exit(f"shapes_world.py: {pipeline} has no zones or lines.")
    every = int((spec.get("source") or {}).get("every", 1))
    return spec.get("zones") or [], spec.get("lines") or [], every


def places(truth_path, pipeline, out=None, command=None):
    try:
        truth = json.loads(Path(truth_path).read_text())
    except (OSError, ValueError) as e:
        sys.exit(f"shapes_world.py: cannot read the video truth {truth_path}: {e}.")
    if "movers" not in truth:
        sys.exit(f"shapes_world.py: {truth_path} is no video truth (it has no movers; `video` writes one).")
    zones, lines, every = read_places(pipeline)
    result = place_truth(truth["movers"], truth["width"], truth["height"], truth["frames"], zones, lines, every)
    result = {"generator": "tools/shapes_world.py", "video": truth["video"], "pipeline": str(pipeline),
              **({"command": command} if command else {}), "width": truth["width"], "height": truth["height"],
              **result}
    if out:
        Path(out).write_text(json.dumps(result, separators=(",", ":")) + "\n")
    else:
        truth["places"] = result   # the video's truth keeps every key it had
        Path(truth_path).write_text(json.dumps(truth, separators=(",", ":")) + "\n")
    return result


def selftest():
    """Hand-made cases with known answers for the geometry and the event rules."""
    sq = [(10, 10), (20, 10), (20, 20), (10, 20)]
    assert in_zone((10, 15), sq) and in_zone((15, 10), sq), "left and top edges are inside"
    assert not in_zone((20, 15), sq) and not in_zone((15, 20), sq), "right and bottom edges are outside"
    assert not in_zone((25, 15), sq) and in_zone((15, 15), sq)
    concave = [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)]  # a U
    assert in_zone((5, 20), concave) and not in_zone((15, 20), concave) and in_zone((25, 20), concave)
    down = ((50, 0), (50, 100))   # drawn top to bottom: `in` is left to right
    assert line_side(*down, (40, 50)) > 0 and line_side(*down, (60, 50)) < 0
    right = ((0, 50), (100, 50))  # drawn left to right: `in` is upwards
    assert line_side(*right, (50, 60)) > 0 and line_side(*right, (50, 40)) < 0
    assert abs(segment_parameter(*down, (40, 25), (60, 25)) - 0.25) < 1e-12
    assert segment_parameter(*down, (40, 25), (40, 75)) is None

    def box_at(x, y, s=10):   # a box whose bottom-centre is (x, y)
        return [x - s / 2, y - s, x + s / 2, y]

    def walk(xs, ys):
        return [(k, k / FPS, box_at(x, y)) for k, (x, y) in enumerate(zip(xs, ys))]

    gate = {"name": "gate", "points_px": [(50, 0), (50, 100)]}
    # Left to right through the segment: one `in`, dated at the first frame past the line.
    ev = line_truth(walk([20, 30, 40, 48, 53, 60, 70], [50] * 7), gate, "red circle", 0)
    assert [(e["direction"], e["frame"], e["sure"]) for e in ev] == [("in", 4, True)], ev
    # Right to left: `out`.
    ev = line_truth(walk([80, 70, 60, 45, 35, 25], [50] * 6), gate, "x", 0)
    assert [(e["direction"], e["frame"], e["sure"]) for e in ev] == [("out", 3, True)], ev
    # Beyond the segment's end (y 150 > 100): no crossing at all.
    assert line_truth(walk([20, 40, 60, 80], [150] * 4), gate, "x", 0) == []
    # Touching the line and going back: the anchor on the line is on no side, so no crossing.
    assert line_truth(walk([30, 40, 50, 40, 30], [50] * 5), gate, "x", 0) == []
    # Across for one frame only: two crossings in truth, neither confirmable, so neither sure.
    ev = line_truth(walk([30, 40, 55, 40, 30], [50] * 5), gate, "x", 0)
    assert [(e["direction"], e["sure"]) for e in ev] == [("in", False), ("out", False)], ev
    # Crossing while the view ends (one frame on the new side): real, not confirmable.
    ev = line_truth(walk([30, 40, 46, 54], [50] * 4), gate, "x", 0)
    assert [(e["frame"], e["sure"]) for e in ev] == [(3, False)], ev
    # Just past a segment's end: a near miss, not sure either way.
    ev = line_truth(walk([30, 40, 60, 70], [101] * 4), gate, "x", 0)
    assert [(e.get("near_miss"), e["sure"]) for e in ev] == [(True, False)], ev

    door = {"name": "door", "polygon_px": [(40, 40), (80, 40), (80, 80), (40, 80)]}
    # Through the door left to right: enter at the first frame inside, exit at the first outside.
    ev = zone_truth(walk(range(20, 101, 10), [60] * 9), door, "x", 0, 3)
    assert [(e["event"], e["frame"], e["sure"]) for e in ev] == [("enter", 2, True), ("exit", 6, True)], ev
    # Seen first inside and leaving view inside: enter at the first frame, exit at the last.
    ev = zone_truth(walk([50, 55, 60, 65], [60] * 4), door, "x", 0, 3)
    assert [(e["event"], e["frame"]) for e in ev] == [("enter", 0), ("exit", 3)] and ev[1]["at_end_of_view"]
    # Clipping a corner for 2 frames (inertia 3): in truth, but no tracker could confirm it.
    ev = zone_truth(walk([20, 30, 45, 55, 90], [60] * 5), door, "x", 0, 3)
    assert [(e["event"], e["sure"]) for e in ev] == [("enter", False), ("exit", False)], ev
    # Visits: a gap longer than max_lost_seconds splits, a shorter one does not.
    seen = [(f, f / FPS, None) for f in [0, 1, 2, 10, 11, 60, 61]]
    assert [[r[0] for r in v] for v in visits(seen, 1, 1.0)] == [[0, 1, 2, 10, 11], [60, 61]]
    # The whole path, from a mover: a 20 px circle from left to right at y 60, 100 px/s.
    mv = [mover("red", "circle", 20, 0.0, (-10, 60), (330, 60), 100)]
    pt = place_truth(mv, 320, 240, 100, [{"name": "door", "polygon": [[0.25, 0], [0.5, 0], [0.5, 1], [0.25, 1]],
                                          "units": "relative"}],
                     [{"name": "gate", "points": [[0.5, 0], [0.5, 1]], "units": "relative"}])
    got = [(e["kind"], e.get("event"), e.get("direction"), e["frame"]) for e in pt["events"]]
    # bottom-centre x = -10 + 4t px (t in frames, 100 px/s at 25 fps); inside from x >= 80 (frame
    # 23, x 82) to x < 160 (frame 43, x 162 is the first outside); the line at 160 is passed at
    # frame 43 too.
    assert got == [("zone", "enter", None, 23), ("zone", "exit", None, 43), ("line", "cross", "in", 43)], got
    print("shapes_world.py selftest: all cases hold")


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
    pl = sub.add_parser("places", help="truth events of a pipeline's zones and lines on a video's truth")
    pl.add_argument("--truth", required=True, help="the video's truth JSON (from `video`)")
    pl.add_argument("--pipeline", required=True, help="a pipeline file with zones: and/or lines:")
    pl.add_argument("--out", help="write here instead of adding a `places` key to the truth JSON")
    sub.add_parser("selftest", help="check the zone and line truth on hand-made cases")
    a = ap.parse_args(argv)
    if a.cmd == "selftest":
        selftest()
        return
    if a.cmd == "places":
        command = " ".join(["tools/shapes_world.py", *(argv if argv is not None else sys.argv[1:])])
        places(a.truth, a.pipeline, a.out, command)
        return
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
