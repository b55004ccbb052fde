#!/usr/bin/env python3
"""Measures the shapes-world models on held-out scenes (seeds the training never draws).

  eval_shapes.py data     [--root /tmp/shapes_eval]          # writes the held-out image sets
  eval_shapes.py classify [--engine transformers|clipstream] [--clipstream BIN]
  eval_shapes.py detect   [--engine ...]
  eval_shapes.py segment  [--engine ...]
  eval_shapes.py all      [--engine ...]
  eval_shapes.py video    [--events run.ndjson]   # events vs samples/shapes.truth.json
  eval_shapes.py videos   [--engine ...] [--count 6]  # the same check on random videos
  eval_shapes.py tracks|zones|lines|tracking [--count 6] [--clipstream BIN]
                          # tracking on random videos against the world's truth (tracking: all three)
  eval_shapes.py zones|lines|tracks --events run.ndjson [--places samples/shapes.zones-truth.json]
  eval_shapes.py selftest # those checks on synthetic runs: perfect passes, each fault fails

Metrics (the targets of issue 8):
  classify  top-1 over the 20 phrases on 200 single-object scenes (128x128), labels with
            ClipStream's default template "a photo of a {}.";
  detect    AP@0.5 per phrase (all-point interpolated precision/recall, VOC style), every image
            queried with all 20 phrases; objects showing less than half their area are "difficult"
            (a detection on them is neither right nor wrong), on 200 scenes of 1-4 objects (160x120);
  segment   IoU per phrase = sum of intersections / sum of unions over the same 200 scenes with all
            20 prompts (so a mask for an absent phrase counts against it), probability >= 0.5 after
            bilinear resizing of the model-resolution logits to the image; mIoU = mean over phrases.

  tracks    MOT over the processed frames (motmetrics: IDF1, ID switches, MOTA): truth objects
            showing at least half their area against the run's track boxes (frame lines' boxes
            with track ids, else the track events' spans), a pair when labels agree and IoU >= 0.5;
            target IDF1 >= 0.90 and at most 1 ID switch per 10 objects (issue 19);
  zones     zone enter/exit truth events (tools/shapes_world.py places) reported with the same
            zone, event and label within --tolerance sampled frames; target 95%;
  lines     line crossings likewise, with the right direction; target 95% and no crossing
            reported where no object crossed.
  Tracking checks run `clipstream run --pipeline` (pipelines/shapes-zones.yaml, every phrase
  queried, frame lines on) and exit 1 when a target is missed. Needs motmetrics:
      /tmp/refenv/bin/pip install motmetrics==1.4.0   (with pandas 3.1.1, numpy 2.4.6)

With --engine clipstream the same images go through `clipstream classify|detect|segment --json`
(DESIGN.md's contract) and only the metric is computed here; with transformers the reference
classes run on the same files. Both read the model directories in samples/models/.
"""
import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import shapes_world as world  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "samples" / "models"
SETS = {"single": (9001, 200, "128x128", "1-1"), "multi": (9002, 200, "160x120", "1-4")}
TEMPLATE = "a photo of a {}."


def make_data(root):
    for name, (seed, count, size, objects) in SETS.items():
        world.main(["images", "--seed", str(seed), "--count", str(count), "--size", size,
                    "--objects", objects, "--out", str(root / name)])


def load_set(root, name):
    if not (root / name / "truth.json").exists():
        make_data(root)
    truth = json.loads((root / name / "truth.json").read_text())
    return [(root / name / r["file"], r) for r in truth["images"]][:LIMIT]


RESIZE = "pil"  # the resampling the models were trained with (transformers' PIL backend)
LIMIT = None


def run_clipstream(binary, args, images):
    """Runs one one-shot command over all images; returns its JSON lines keyed by source."""
    cmd = [str(binary), *args, "--resize", RESIZE, "--json", *map(str, images)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"eval_shapes.py: {binary} {args[0]} failed: {out.stderr.strip()}")
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    by_name = {Path(r["source"]).name: r for r in rows}
    return [by_name[Path(i).name] for i in images]


def chunks(items, n):
    return [items[i:i + n] for i in range(0, len(items), n)]


# ---- classification --------------------------------------------------------------------------

def classify(root, engine, binary):
    data = load_set(root, "single")
    images = [p for p, _ in data]
    if engine == "clipstream":
        args = ["classify", "--model", str(MODELS / "clip-shapes")]
        for p in world.PHRASES:
            args += ["--label", p]
        tops = [r["top"]["label"] for c in chunks(images, 50) for r in run_clipstream(binary, args, c)]
    else:
        import torch
        from PIL import Image
        from transformers import CLIPModel, CLIPTokenizer
        from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
        d = MODELS / "clip-shapes"
        model = CLIPModel.from_pretrained(d, dtype=torch.float32).eval()
        proc, tok = CLIPImageProcessorPil.from_pretrained(d), CLIPTokenizer.from_pretrained(d)
        text = tok([TEMPLATE.format(p) for p in world.PHRASES], padding=True, return_tensors="pt")
        tops = []
        with torch.no_grad():
            for c in chunks(images, 50):
                px = torch.as_tensor(np.asarray(proc([Image.open(p).convert("RGB") for p in c],
                                                     return_tensors="np")["pixel_values"]))
                logits = model(pixel_values=px, **text).logits_per_image
                tops += [world.PHRASES[i] for i in logits.argmax(1).tolist()]
    truth = [r["phrases"][0].split() for _, r in data]
    guess = [t.split() for t in tops]
    right = sum(t == g for t, g in zip(truth, guess))
    colour = sum(t[0] == g[0] for t, g in zip(truth, guess))
    shape = sum(t[1] == g[1] for t, g in zip(truth, guess))
    return {"metric": "CLIP top-1 (single-object scenes)", "value": right / len(data), "n": len(data),
            "colour_right": colour / len(data), "shape_right": shape / len(data)}


# ---- detection -------------------------------------------------------------------------------

def detections_transformers(images):
    import torch
    from PIL import Image
    from transformers import CLIPTokenizer, OwlViTForObjectDetection
    from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil
    d = MODELS / "owlvit-shapes"
    model = OwlViTForObjectDetection.from_pretrained(d, dtype=torch.float32).eval()
    proc, tok = OwlViTImageProcessorPil.from_pretrained(d), CLIPTokenizer.from_pretrained(d)
    q = tok(world.PHRASES, padding="max_length", max_length=16, return_tensors="pt")
    out = []
    with torch.no_grad():
        for c in chunks(images, 25):
            pics = [Image.open(p).convert("RGB") for p in c]
            px = torch.as_tensor(np.asarray(proc(pics, return_tensors="np")["pixel_values"]))
            o = model(input_ids=q["input_ids"].repeat(len(c), 1),
                      attention_mask=q["attention_mask"].repeat(len(c), 1), pixel_values=px)
            res = proc.post_process_object_detection(o, threshold=0.01,
                                                     target_sizes=[(p.height, p.width) for p in pics])
            for r in res:
                out.append([{"label": world.PHRASES[l], "score": float(s), "box": b.tolist()}
                            for s, l, b in zip(r["scores"], r["labels"], r["boxes"])])
    return out


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def average_precision(phrase, dets, records):
    gts, n_gt = [], 0
    for r in records:
        objs = [o for o in r["objects"] if o["phrase"] == phrase and o["box"]]
        gts.append([(o["box"], o["visible_fraction"] < world.VISIBLE_FRACTION) for o in objs])
        n_gt += sum(not hard for _, hard in gts[-1])
    flat = sorted(((d["score"], i, d["box"]) for i, ds in enumerate(dets) for d in ds if d["label"] == phrase),
                  key=lambda x: -x[0])
    used = [[False] * len(g) for g in gts]
    tp, fp = [], []
    for _, i, box in flat:
        best, j = 0.0, -1
        for k, (g, _) in enumerate(gts[i]):
            v = iou(box, g)
            if v > best:
                best, j = v, k
        if best >= 0.5 and gts[i][j][1]:
            continue  # a difficult object: ignored
        if best >= 0.5 and not used[i][j]:
            used[i][j] = True
            tp.append(1), fp.append(0)
        else:
            tp.append(0), fp.append(1)
    if n_gt == 0:
        return None
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    recall = tp / n_gt
    precision = tp / np.maximum(tp + fp, 1e-9)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    for k in range(len(mpre) - 2, -1, -1):
        mpre[k] = max(mpre[k], mpre[k + 1])
    idx = np.flatnonzero(mrec[1:] != mrec[:-1])
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def detect(root, engine, binary):
    data = load_set(root, "multi")
    images = [p for p, _ in data]
    if engine == "clipstream":
        args = ["detect", "--model", str(MODELS / "owlvit-shapes"), "--threshold", "0.01"]
        for p in world.PHRASES:
            args += ["--query", p]
        dets = [[{"label": d["query"], "score": d["score"], "box": d["box"]} for d in r["detections"]]
                for c in chunks(images, 50) for r in run_clipstream(binary, args, c)]
    else:
        dets = detections_transformers(images)
    records = [r for _, r in data]
    per = {p: average_precision(p, dets, records) for p in world.PHRASES}
    vals = [v for v in per.values() if v is not None]
    return {"metric": "OWL-ViT mAP@0.5 (mean over phrases)", "value": float(np.mean(vals)),
            "per_phrase": {p: (round(v, 3) if v is not None else None) for p, v in per.items()}, "n": len(data)}


# ---- segmentation ----------------------------------------------------------------------------

def logits_transformers(images):
    import torch
    from PIL import Image
    from transformers import CLIPSegForImageSegmentation, CLIPTokenizer
    from transformers.models.vit.image_processing_pil_vit import ViTImageProcessorPil
    d = MODELS / "clipseg-shapes"
    model = CLIPSegForImageSegmentation.from_pretrained(d, dtype=torch.float32).eval()
    proc, tok = ViTImageProcessorPil.from_pretrained(d), CLIPTokenizer.from_pretrained(d)
    q = tok(world.PHRASES, padding=True, return_tensors="pt")
    out = []
    with torch.no_grad():
        for p in images:
            px = torch.as_tensor(np.asarray(proc([Image.open(p).convert("RGB")], return_tensors="np")["pixel_values"]))
            o = model(pixel_values=px.repeat(len(world.PHRASES), 1, 1, 1), **q)
            out.append(o.logits.numpy())
    return out


def logits_clipstream(binary, images):
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        args = ["segment", "--model", str(MODELS / "clipseg-shapes"), "--logits-out", tmp]
        for p in world.PHRASES:
            args += ["--prompt", p]
        for c in chunks(images, 50):
            run_clipstream(binary, args, c)
        for p in images:
            shape = json.loads((Path(tmp) / f"{Path(p).stem}.json").read_text())
            dims = shape.get("shape", shape)
            h, w = (dims[-2], dims[-1]) if isinstance(dims, list) else (dims["height"], dims["width"])
            out.append(np.stack([np.fromfile(Path(tmp) / f"{Path(p).stem}.{k}.f32", "<f4").reshape(h, w)
                                 for k in range(len(world.PHRASES))]))
    return out


def segment(root, engine, binary):
    import torch
    import torch.nn.functional as F
    data = load_set(root, "multi")
    images = [p for p, _ in data]
    logits = logits_clipstream(binary, images) if engine == "clipstream" else logits_transformers(images)
    inter = np.zeros(len(world.PHRASES))
    union = np.zeros(len(world.PHRASES))
    for lg, (_, r) in zip(logits, data):
        w, h = r["width"], r["height"]
        prob = torch.sigmoid(F.interpolate(torch.from_numpy(lg)[:, None], size=(h, w), mode="bilinear",
                                           align_corners=False))[:, 0].numpy()
        for k, p in enumerate(world.PHRASES):
            gt = world.unrle(r["masks"][p], w, h) if p in r["masks"] else np.zeros((h, w), bool)
            pred = prob[k] >= 0.5
            inter[k] += (gt & pred).sum()
            union[k] += (gt | pred).sum()
    per = inter / np.maximum(union, 1)
    return {"metric": "CLIPSeg mIoU (mean over phrases)", "value": float(per.mean()),
            "per_phrase": {p: round(float(v), 3) for p, v in zip(world.PHRASES, per)}, "n": len(data)}


# ---- the sample video's events ---------------------------------------------------------------

def is_presence(line):
    """A per-label start/end event line of DESIGN.md (a run writing tracks, zones or lines too
    marks it `kind: presence`)."""
    return line.get("type") == "event" and line.get("kind", "presence") == "presence"


def compare_events(truth, events, tolerance_frames):
    """Each truth interval must have a start and end event within the tolerance, and no event
    may name a phrase that is absent from the video."""
    fps = truth["fps"]
    problems = []
    for p, runs in truth["intervals"].items():
        got = [e for e in events if e["label"] == p]
        starts = sorted(e["start_pts"] for e in got if e["event"] == "start")
        ends = sorted(e["end_pts"] for e in got if e["event"] == "end")
        if len(starts) != len(runs) or len(ends) != len(runs):
            problems.append(f"{p}: {len(runs)} intervals in truth, {len(starts)} starts and {len(ends)} ends")
            continue
        for run, s, e in zip(runs, starts, ends):
            if abs(s - run["start_pts"]) * fps > tolerance_frames + 1e-6:
                problems.append(f"{p}: start {s:.2f}s, truth {run['start_pts']:.2f}s")
            if abs(e - run["end_pts"]) * fps > tolerance_frames + 1e-6:
                problems.append(f"{p}: end {e:.2f}s, truth {run['end_pts']:.2f}s")
    for e in events:
        if e["label"] in truth["absent"]:
            problems.append(f"{e['label']} is absent from the video but has a {e['event']} event")
    return problems


def events_transformers(video, truth, queries, threshold, min_frames, gap_frames):
    """What the pipeline's detect stage and event logic should produce: per frame, a label holds
    when one box scores above the threshold; start after min_frames consecutive frames (dated at
    the first of them), end after gap_frames absent (dated at the last frame it held)."""
    import torch
    from PIL import Image
    from transformers import CLIPTokenizer, OwlViTForObjectDetection
    from transformers.models.owlvit.image_processing_pil_owlvit import OwlViTImageProcessorPil
    d = MODELS / "owlvit-shapes"
    model = OwlViTForObjectDetection.from_pretrained(d, dtype=torch.float32).eval()
    proc, tok = OwlViTImageProcessorPil.from_pretrained(d), CLIPTokenizer.from_pretrained(d)
    q = tok(queries, padding="max_length", max_length=16, return_tensors="pt")
    w, h = truth["width"], truth["height"]
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)
    held = np.zeros((len(frames), len(queries)), bool)
    with torch.no_grad():
        for i in range(0, len(frames), 25):
            pics = [Image.fromarray(f) for f in frames[i:i + 25]]
            px = torch.as_tensor(np.asarray(proc(pics, return_tensors="np")["pixel_values"]))
            o = model(input_ids=q["input_ids"].repeat(len(pics), 1),
                      attention_mask=q["attention_mask"].repeat(len(pics), 1), pixel_values=px)
            for j, r in enumerate(proc.post_process_object_detection(o, threshold=threshold)):
                for l in r["labels"].tolist():
                    held[i + j, l] = True
    events = []
    fps = truth["fps"]
    for k, label in enumerate(queries):
        run, off, active, last = 0, 0, False, -1
        for f in range(len(frames) + gap_frames):
            on = f < len(frames) and held[f, k]
            run = run + 1 if on else 0
            if on:
                off, last = 0, f
                if not active and run >= min_frames:
                    active = True
                    events.append({"event": "start", "label": label, "start_pts": (f - min_frames + 1) / fps})
            elif active:
                off += 1
                if off >= gap_frames or f >= len(frames):
                    active = False
                    events.append({"event": "end", "label": label, "end_pts": last / fps})
    return events, held


def videos(args):
    """The demo's check on random videos of the same world (tools/shapes_world.py video --seed
    1..count, objects of every size and speed the world allows, may overlap), every phrase
    queried: how often the sample's pass holds beyond the sample."""
    intervals, problems = 0, []
    for seed in range(1, args.count + 1):
        mp4, truth_path = seeded_video(args.root, seed)
        truth = json.loads(truth_path.read_text())
        if args.engine == "clipstream":
            events = [e for e in run_pipeline(args.clipstream, REPO / "pipelines" / "shapes-demo.yaml", mp4)
                      if is_presence(e)]
        else:
            events, _ = events_transformers(mp4, truth, world.PHRASES, args.threshold, args.min_frames,
                                            args.gap_frames)
        intervals += sum(len(runs) for runs in truth["intervals"].values())
        problems += [f"v{seed}: {p}" for p in compare_events(truth, events, args.tolerance)]
    print("\n".join(problems))
    print(json.dumps({"metric": f"random videos: problems (events more than {args.tolerance} frames off, "
                                "missing or extra, or on absent phrases)", "videos": args.count,
                      "intervals": intervals, "problems": len(problems), "engine": args.engine}))


# ---- tracks, zones and lines against the world's truth ---------------------------------------
# Truth: tools/shapes_world.py places (objects' own geometry; docs/tracking.md's rules). A run:
# `clipstream run pipelines/shapes-zones.yaml` with its track, zone and line events (DESIGN.md's
# "Contract extensions") and frame lines. MOT metrics come from motmetrics (pinned in the header;
# its own iou_matrix calls np.asfarray, gone in NumPy 2, so the IoU distances are computed here).

PLACES_PIPELINE = REPO / "pipelines" / "shapes-zones.yaml"
# The targets of issue 19 over the seeded videos.
TARGET_IDF1 = 0.90
TARGET_SWITCHES_PER_OBJECT = 0.1
TARGET_EVENT_RECALL = 0.95


def read_json_lines(path, whole=False):
    """A JSON file (whole) or NDJSON, or one sentence naming the file and what is wrong."""
    try:
        text = Path(path).read_text()
        return json.loads(text) if whole else [json.loads(l) for l in text.splitlines() if l.strip()]
    except (OSError, ValueError) as e:
        sys.exit(f"eval_shapes.py: cannot read {path}: {e}.")


def seeded_video(root, seed):
    """The random video of a seed and its truth JSON (written on first use)."""
    mp4, truth_path = root / "videos" / f"v{seed}.mp4", root / "videos" / f"v{seed}.json"
    if not truth_path.exists():
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        world.main(["video", "--seed", str(seed), "--out", str(mp4), "--truth", str(truth_path)])
    return mp4, truth_path


def run_pipeline(binary, pipeline, mp4, extra=()):
    """Every NDJSON line of `clipstream run` on one video, all 20 phrases queried."""
    queries = "[" + ", ".join(world.PHRASES) + "]"
    out = subprocess.run([str(binary), "run", str(pipeline), "--input", str(mp4), "--events", "-", "--quiet",
                          "--set", f"shapes.model={MODELS / 'owlvit-shapes'}", "--set", f"shapes.queries={queries}",
                          *extra], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"eval_shapes.py: clipstream run failed on {mp4}: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]


def tracked_boxes(node, out):
    """Every {track_id, box} object anywhere in a frame line's results (the contract does not fix
    where a stage puts its boxes' track ids, so any nesting is read)."""
    if isinstance(node, dict):
        if "track_id" in node and "box" in node:
            # A detect stage's `label` is the query's index; its text is `query`.
            label = node["label"] if isinstance(node.get("label"), str) else node.get("query")
            out.append((node["track_id"], label, node["box"]))
        for v in node.values():
            tracked_boxes(v, out)
    elif isinstance(node, list):
        for v in node:
            tracked_boxes(v, out)
    return out


def track_hypotheses(lines, fps):
    """{frame: [(track_id, label, box)]} on every processed frame, and how they were found:
    the frame lines' boxes with track ids, else the track events' spans (no boxes)."""
    frames = {round(l["pts"] * fps): tracked_boxes(l.get("results"), []) for l in lines if l.get("type") == "frame"}
    if not frames:
        sys.exit("eval_shapes.py: the run wrote no frame lines; tracks needs `events: {frames: true}`.")
    if any(frames.values()):
        return frames, "frame lines' boxes with track ids"
    # Only the track events: a track is a hypothesis on every processed frame from its start to
    # its end, with no box, so identity is measured in time and by label only.
    spans = {}
    for e in lines:
        if e.get("type") == "event" and e.get("kind") == "track":
            s = spans.setdefault(e["track_id"], {"label": e["label"]})
            if e["event"] == "start":
                s["start"] = e["pts"]
            else:
                s["start"], s["end"] = e.get("start_pts", s.get("start")), e.get("end_pts", e.get("pts"))
    for f in frames:
        frames[f] = [(tid, s["label"], None) for tid, s in spans.items()
                     if s.get("start", math.inf) - 1e-6 <= f / fps <= s.get("end", math.inf) + 1e-6]
    return frames, "track events' spans (the frame lines carry no track ids): time and label only, no boxes"


def box_iou(a, b):
    return iou(a, b) if b is not None else 1.0


def mot_accumulator(places, hypotheses):
    """One video's frame-by-frame matching: truth objects in view against the run's tracks, a
    pair possible when the labels agree and IoU >= 0.5 (the usual MOT threshold). A track box on
    an object only partly in view (under visible_fraction, which the detector may or may not
    report) is dropped: neither right nor wrong."""
    import motmetrics as mm
    gt, partial = {}, {}
    for o in places["objects"]:
        for f, *box in o["boxes"]:
            gt.setdefault(f, []).append((o["object"], o["label"], box))
        for f, *box in o["partial_boxes"]:
            partial.setdefault(f, []).append((o["label"], box))
    acc = mm.MOTAccumulator(auto_id=False)
    for f in sorted(hypotheses):
        objs = gt.get(f, [])
        hyps = [h for h in hypotheses[f] if h[2] is None or
                any(h[1] == o[1] and box_iou(o[2], h[2]) >= 0.5 for o in objs) or
                not any(h[1] == lab and box_iou(box, h[2]) >= 0.5 for lab, box in partial.get(f, []))]
        dist = np.full((len(objs), len(hyps)), np.nan)
        for i, (_, label, box) in enumerate(objs):
            for j, (_, hlabel, hbox) in enumerate(hyps):
                v = box_iou(box, hbox)
                if label == hlabel and v >= 0.5:
                    dist[i, j] = 1 - v
        acc.update([o[0] for o in objs], [h[0] for h in hyps], dist, frameid=f)
    return acc


def match_events(truth, reported, tolerance, same):
    """Pairs each reported event with a truth event `same` accepts within `tolerance` seconds,
    closest first, each used once: first against the sure truth events, then the rest against
    the unsure ones. Returns (hits [(truth, reported)], missed truth, unmatched reported)."""
    def pair(ts, rs):
        cands = sorted((abs(t["pts"] - r["pts"]), i, j) for i, t in enumerate(ts) for j, r in enumerate(rs)
                       if same(t, r) and abs(t["pts"] - r["pts"]) <= tolerance + 1e-6)
        ti, ri, pairs = set(), set(), []
        for _, i, j in cands:
            if i not in ti and j not in ri:
                ti.add(i), ri.add(j), pairs.append((ts[i], rs[j]))
        return pairs, [t for i, t in enumerate(ts) if i not in ti], [r for j, r in enumerate(rs) if j not in ri]
    hits, missed, rest = pair([t for t in truth if t["sure"]], reported)
    _, _, unmatched = pair([t for t in truth if not t["sure"]], rest)
    return hits, missed, unmatched


def place_checks(places, lines, tolerance_frames, name):
    """Zone and line events of one run against the truth: counts and one line per problem."""
    tol = tolerance_frames * places["every"] / places["fps"]
    events = [e for e in lines if e.get("type") == "event"]
    out, problems = {}, []
    truth = [e for e in places["events"] if e["kind"] == "zone"]
    got = [e for e in events if e.get("kind") == "zone" and e["event"] in ("enter", "exit")]
    hits, missed, extra = match_events(truth, got, tol, lambda t, r: (t["zone"], t["event"], t["label"]) ==
                                       (r["zone"], r["event"], r["label"]))
    out["zones"] = {"truth": sum(t["sure"] for t in truth), "unsure": sum(not t["sure"] for t in truth),
                    "hits": len(hits), "extra": len(extra)}
    problems += [f"{name}: zone {t['zone']}: {t['label']} {t['event']} at {t['pts']:.2f}s not reported" for t in missed]
    problems += [f"{name}: zone {r['zone']}: {r['label']} {r['event']} at {r['pts']:.2f}s (track {r.get('track_id')}) "
                 "is in no truth" for r in extra]
    truth = [e for e in places["events"] if e["kind"] == "line"]
    got = [e for e in events if e.get("kind") == "line" and e["event"] == "cross"]
    hits, missed, extra = match_events(truth, got, tol, lambda t, r: (t["line"], t["label"]) == (r["line"], r["label"]))
    wrong = [(t, r) for t, r in hits if t["direction"] != r["direction"]]
    out["lines"] = {"truth": sum(t["sure"] for t in truth), "unsure": sum(not t["sure"] for t in truth),
                    "hits": len(hits) - len(wrong), "wrong_direction": len(wrong), "false_crossings": len(extra)}
    problems += [f"{name}: line {t['line']}: {t['label']} crossing {t['direction']} at {t['pts']:.2f}s not reported"
                 for t in missed]
    problems += [f"{name}: line {t['line']}: {t['label']} at {t['pts']:.2f}s crossed {t['direction']}, "
                 f"reported {r['direction']}" for t, r in wrong]
    problems += [f"{name}: line {r['line']}: {r['label']} reported crossing {r['direction']} at {r['pts']:.2f}s "
                 f"(track {r.get('track_id')}), no object crossed" for r in extra]
    return out, problems


def tracking(args):
    """tracks, zones and lines: one run per video (the seeded random videos, or --events with
    --places for one run), the checks asked for, one summary line; False when a target is missed."""
    runs = []   # (name, places truth, lines)
    if args.events:
        places = read_json_lines(args.places, whole=True)
        if "events" not in places or "objects" not in places:
            sys.exit(f"eval_shapes.py: {args.places} is no places truth (tools/shapes_world.py places writes one).")
        runs.append((Path(args.events).name, places, read_json_lines(args.events)))
    else:
        for seed in range(1, args.count + 1):
            mp4, truth_path = seeded_video(args.root, seed)
            places = world.places(truth_path, args.pipeline)
            lines = run_pipeline(args.clipstream, args.pipeline, mp4, ["--set", "events.frames=true"])
            # Kept beside the video, to look into a problem line without running again.
            mp4.with_suffix(".tracking.ndjson").write_text("".join(json.dumps(l) + "\n" for l in lines))
            runs.append((f"v{seed}", places, lines))
    ok, summary, problems = tracking_report(args.what, runs, args.tolerance)
    if problems:
        print("\n".join(problems))
    print(json.dumps(summary))
    return ok


def tracking_report(what, runs, tolerance):
    """(targets met, summary, problems) of the checks `what` names over runs."""
    import motmetrics as mm
    want = ["tracks", "zones", "lines"] if what == "tracking" else [what]
    summary, problems, ok = {"runs": len(runs), "tolerance_frames": tolerance}, [], True
    counts = {"zones": {}, "lines": {}}
    for name, places, lines in runs:
        checked, found = place_checks(places, lines, tolerance, name)
        problems += [p for p in found if any(p.startswith(f"{name}: {k[:-1]} ") for k in want)]
        for k in counts:
            for key, v in checked[k].items():
                counts[k][key] = counts[k].get(key, 0) + v
    if "tracks" in want:
        accs, how = [], set()
        for name, places, lines in runs:
            hyps, source = track_hypotheses(lines, places["fps"])
            how.add(source)
            accs.append(mot_accumulator(places, hyps))
        mh = mm.metrics.create()
        m = mh.compute_many(accs, metrics=["idf1", "mota", "num_switches", "num_unique_objects", "num_frames"],
                            names=[r[0] for r in runs], generate_overall=True).loc["OVERALL"]
        objects, switches = int(m["num_unique_objects"]), int(m["num_switches"])
        summary["tracks"] = {"idf1": round(float(m["idf1"]), 4), "mota": round(float(m["mota"]), 4),
                             "id_switches": switches, "objects": objects, "frames": int(m["num_frames"]),
                             "from": sorted(how)}
        ok &= m["idf1"] >= TARGET_IDF1 and switches <= TARGET_SWITCHES_PER_OBJECT * objects
    for k in ("zones", "lines"):
        if k in want:
            c = counts[k]
            c["recall"] = round(c["hits"] / c["truth"], 4) if c["truth"] else None
            summary[k] = c
            ok &= c["truth"] == 0 or c["hits"] >= TARGET_EVENT_RECALL * c["truth"]
    if "lines" in want:
        ok &= counts["lines"]["false_crossings"] == 0
    summary["targets"] = {"idf1": TARGET_IDF1, "id_switches_per_object": TARGET_SWITCHES_PER_OBJECT,
                          "event_recall": TARGET_EVENT_RECALL, "false_crossings": 0}
    summary["met"] = bool(ok)
    return bool(ok), summary, problems


def synthetic_run(places, fault=None):
    """The NDJSON a perfect tracker would write for a places truth (frame lines with track ids,
    zone and line events at the truth's times), with one fault put in when asked."""
    boxes = {}
    for o in places["objects"]:
        for f, *box in o["boxes"]:
            tid = o["object"] + 1 + (100 if fault == "switch" and o is places["objects"][0] and f % 2 else 0)
            boxes.setdefault(f, []).append({"query": o["label"], "label": 0, "score": 0.5, "box": box, "track_id": tid})
    step, lines = places["every"], []
    for f in range(0, max(boxes) + 1, step):
        dets = [{k: v for k, v in d.items() if fault != "spans" or k != "track_id"} for d in boxes.get(f, [])]
        lines.append({"type": "frame", "frame": f, "pts": f / places["fps"], "results": {"shapes": {"detections": dets}}})
    for o in places["objects"]:
        first, last = o["boxes"][0][0] / places["fps"], o["boxes"][-1][0] / places["fps"]
        lines += [{"type": "event", "kind": "track", "event": "start", "track_id": o["object"] + 1, "label": o["label"],
                   "pts": first},
                  {"type": "event", "kind": "track", "event": "end", "track_id": o["object"] + 1, "label": o["label"],
                   "pts": last, "start_pts": first, "end_pts": last}]
    late = 3 * step / places["fps"] if fault == "late" else 0.0
    for e in places["events"]:
        r = {"type": "event", "kind": e["kind"], "event": e["event"], "track_id": e["object"] + 1,
             "label": e["label"], "pts": e["pts"] + late}
        if e["kind"] == "zone":
            r["zone"] = e["zone"]
        else:
            flip = fault == "direction" and e is [t for t in places["events"] if t["kind"] == "line"][-1]
            r["line"], r["direction"] = e["line"], {"in": "out", "out": "in"}[e["direction"]] if flip else e["direction"]
        lines.append(r)
    if fault == "false":
        lines.append({"type": "event", "kind": "line", "event": "cross", "line": places["lines"][0]["name"],
                      "direction": "in", "track_id": 999, "label": places["objects"][0]["label"], "pts": 0.0})
    return lines


def selftest(args):
    """The checks on synthetic runs of the demo's truth: a perfect run meets every target, and
    each fault fails the check it concerns."""
    places = json.loads(Path(args.places).read_text())
    def report(fault):
        return tracking_report("tracking", [(f"synthetic-{fault}", places, synthetic_run(places, fault))], 2)
    for fault in (None, "spans"):
        ok, summary, problems = report(fault)
        assert ok and not problems, (fault, summary, problems)
        assert summary["tracks"]["idf1"] == 1 and summary["lines"]["hits"] == summary["lines"]["truth"] > 0
    ok, summary, _ = report("switch")
    assert not ok and summary["tracks"]["id_switches"] > 0 and summary["tracks"]["idf1"] < 1, summary
    ok, summary, _ = report("late")   # 3 sampled frames late: every event outside the tolerance
    assert not ok and summary["zones"]["hits"] == 0 and summary["lines"]["hits"] == 0, summary
    ok, summary, _ = report("direction")
    assert not ok and summary["lines"]["wrong_direction"] == 1, summary
    ok, summary, _ = report("false")
    assert not ok and summary["lines"]["false_crossings"] == 1, summary
    print("eval_shapes.py selftest: a perfect run meets the targets; an ID switch, late events, a wrong "
          "direction and a false crossing each fail")


def video(args):
    truth = json.loads(Path(args.truth).read_text())
    if args.events:
        events = [json.loads(l) for l in Path(args.events).read_text().splitlines() if l.strip()]
        events = [e for e in events if is_presence(e)]
    else:
        queries = truth["present"] + ["red star", "green circle", "white square", "yellow triangle"]
        events, _ = events_transformers(REPO / "samples" / truth["video"], truth, queries, args.threshold,
                                        args.min_frames, args.gap_frames)
    problems = compare_events(truth, events, args.tolerance)
    for e in events:
        print(json.dumps(e))
    print("\n".join(problems) if problems else f"all events within {args.tolerance} frames of the truth")
    return not problems


def main():
    global MODELS, RESIZE, LIMIT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["data", "classify", "detect", "segment", "all", "video", "videos",
                                     "tracks", "zones", "lines", "tracking", "selftest"])
    ap.add_argument("--root", type=Path, default=Path("/tmp/shapes_eval"))
    ap.add_argument("--engine", choices=["transformers", "clipstream"], default="transformers")
    ap.add_argument("--clipstream", type=Path, default=REPO / ".build" / "release" / "clipstream")
    ap.add_argument("--models", type=Path, default=MODELS, help="directory holding the three model dirs")
    ap.add_argument("--truth", default=str(REPO / "samples" / "shapes.truth.json"))
    ap.add_argument("--events", help="NDJSON from `clipstream run` to check instead of the reference")
    # the reference's event rules: those of pipelines/shapes-demo.yaml
    ap.add_argument("--threshold", type=float, default=0.2)
    ap.add_argument("--min-frames", type=int, default=3)
    ap.add_argument("--gap-frames", type=int, default=3)
    ap.add_argument("--count", type=int, default=6, help="videos, tracks, zones, lines: how many random videos")
    ap.add_argument("--pipeline", type=Path, default=PLACES_PIPELINE,
                    help="tracks, zones, lines: the pipeline run on the random videos (its zones and lines)")
    ap.add_argument("--places", default=str(REPO / "samples" / "shapes.zones-truth.json"),
                    help="tracks, zones, lines with --events: the truth of that run's video and pipeline")
    ap.add_argument("--tolerance", type=int, default=2, help="frames")
    ap.add_argument("--resize", choices=["pil", "torchvision"], default="pil",
                    help="clipstream's resampling (transformers runs its PIL backend, as in training)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N images of each set")
    a = ap.parse_args()
    MODELS, RESIZE, LIMIT = a.models, a.resize, a.limit
    if a.what == "data":
        make_data(a.root)
        return
    if a.what == "video":
        sys.exit(0 if video(a) else 1)
    if a.what == "videos":
        videos(a)
        return
    if a.what == "selftest":
        selftest(a)
        return
    if a.what in ("tracks", "zones", "lines", "tracking"):
        sys.exit(0 if tracking(a) else 1)
    todo = ["classify", "detect", "segment"] if a.what == "all" else [a.what]
    for name in todo:
        r = {"classify": classify, "detect": detect, "segment": segment}[name](a.root, a.engine, a.clipstream)
        r["engine"] = a.engine
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
