#!/usr/bin/env python3
"""Writes the bad-input corpus under Tests/Fixtures/bad-input/ and its manifest.json.

Every case is one command line of the built `clipstream` binary (run from the repository root)
with a damaged input, the exit status it must end with and substrings its stderr must contain
(the file's name and the problem). Tests/CLITests/BadInputCorpusTests.swift runs them all.

Deterministic: damage comes from a seeded RNG; the tiny videos are encoded single-threaded
with FFmpeg's bitexact flags (needs the ffmpeg CLI; stdlib Python only).
Files stay small: videos are re-encoded at 64x48 for a few frames in every container and
codec the samples use; the real samples only contribute short prefixes; checkpoints reuse the
committed fixtures through relative symlinks and replace only the file under test.

Run: python3 tools/make_bad_inputs.py
"""
import json
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/bad-input"
REL = "Tests/Fixtures/bad-input"
CLIP = "Tests/Fixtures/clip/tiny-p8-quickgelu-f32"
OWL = "Tests/Fixtures/owlvit/tiny-p16-quickgelu-f32"
SEG = "Tests/Fixtures/clipseg/simple-f32"
IMAGE = "Tests/Fixtures/clip/image.png"
TOKENIZER = "samples/tokenizer"
CASES = []
rng = random.Random(20261127)


def case(name, args, status, contains=(), stdin=None, note="", summary=False):
    """status: an int, or a list when damage may legitimately decode (warning, exit 0) or fail
    (exit 1); `contains` must then appear on stderr whenever the status is not 0.
    summary: the run had started, so even a failing one must end stdout with the summary line."""
    assert all(c["name"] != name for c in CASES), name
    entry = {"name": name, "args": args, "status": status, "stderr_contains": list(contains)}
    if summary:
        entry["summary"] = True
    if stdin:
        entry["stdin"] = stdin
    if note:
        entry["note"] = note
    CASES.append(entry)


def write(rel, data):
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return f"{REL}/{rel}"


def checkpoint(rel, base, replace):
    """A checkpoint directory: every file of `base` symlinked, except those in `replace`
    (name -> bytes, or None to leave the file out)."""
    d = OUT / rel
    d.mkdir(parents=True, exist_ok=True)
    names = ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json",
             "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]
    for name in names:
        source = ROOT / base / name
        if name in ("vocab.json", "merges.txt"):
            source = ROOT / TOKENIZER / name
        if name in replace:
            if replace[name] is not None:
                (d / name).write_bytes(replace[name])
        elif source.exists():
            (d / name).symlink_to(os.path.relpath(source, d))
    return f"{REL}/{rel}"


# ---------------------------------------------------------------- videos and images

PIPELINE = f"{REL}/pipelines/classify-tiny.yaml"


def tiny_videos():
    """The containers and codecs of Tests/Fixtures/video and samples/shapes.mp4, 64x48."""
    src = ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.8"]
    # Output options (after the input): bitexact muxers write no dates or random segment ids.
    common = ["-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact"]
    specs = {
        "h264_bframes.mp4": ["-c:v", "libx264", "-bf", "2", "-g", "4", "-pix_fmt", "yuv420p",
                             "-x264-params", "threads=1"],
        "vp9.webm": ["-c:v", "libvpx-vp9", "-b:v", "50k", "-g", "4", "-row-mt", "0"],
        "mjpeg.avi": ["-c:v", "mjpeg", "-q:v", "5"],
        "lossless_ffv1.mkv": ["-c:v", "ffv1"],
        "vfr.mkv": ["-c:v", "libx264", "-x264-params", "threads=1", "-pix_fmt", "yuv420p",
                    "-vf", "setpts='if(lt(N,4),N*0.1,0.4+(N-4)*0.25)/TB'", "-fps_mode", "vfr"],
        "pipe.nut": ["-c:v", "ffv1", "-f", "nut"],
        "pipe.ts": ["-c:v", "libx264", "-x264-params", "threads=1", "-pix_fmt", "yuv420p", "-f", "mpegts"],
        "pipe.y4m": ["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe"],
        "pipe.mjpeg": ["-c:v", "mjpeg", "-q:v", "5", "-f", "mjpeg"],
        "shapes.mp4": ["-c:v", "libx264", "-x264-params", "threads=1", "-pix_fmt", "yuv420p",
                       "-movflags", "+faststart"],
    }
    tmp = OUT / "video" / "_clean"
    tmp.mkdir(parents=True, exist_ok=True)
    made = {}
    for name, codec in specs.items():
        path = tmp / name
        subprocess.run(["ffmpeg", "-y", "-hide_banner", "-loglevel", "error", *src, *common, *codec, str(path)],
                       check=True)
        made[name] = path.read_bytes()
    shutil.rmtree(tmp)
    return made


def damage_videos():
    videos = tiny_videos()
    for name, data in videos.items():
        stem, ext = name.rsplit(".", 1)
        n = len(data)
        # Truncations: inside the magic, inside the headers, and at fractions of the stream.
        for cut in [1, 8, 64, 512, n // 4, n // 2, n * 9 // 10, n - 1]:
            rel = write(f"video/{stem}.trunc{cut}.{ext}", data[:cut])
            early = cut <= 64
            case(f"video-trunc-{name}-{cut}", ["run", PIPELINE, "--input", rel, "--events", "-", "--quiet"],
                 1 if early else [0, 1], [Path(rel).name])
        # Bit flips: a few single bits, then bursts, at seeded positions (the header region too).
        for k in range(8):
            flipped = bytearray(data)
            count = [1, 1, 4, 16, 64, 1, 8, 256][k]
            lo = 0 if k in (5, 6) else min(n - 1, 32)
            hi = min(n, 256) if k in (5, 6) else n
            for _ in range(count):
                i = rng.randrange(lo, hi)
                flipped[i] ^= 1 << rng.randrange(8)
            rel = write(f"video/{stem}.flip{k}.{ext}", bytes(flipped))
            case(f"video-flip-{name}-{k}", ["run", PIPELINE, "--input", rel, "--events", "-", "--quiet"],
                 [0, 1], [Path(rel).name])
        # Streamable containers through stdin as well, cut short.
        if stem.startswith("pipe") or ext == "mkv":
            for cut in [16, n // 3, n * 2 // 3]:
                rel = write(f"video/{stem}.stdin{cut}.{ext}", data[:cut])
                case(f"video-stdin-{name}-{cut}", ["run", PIPELINE, "--input", "-", "--events", "-", "--quiet"],
                     1 if cut <= 16 else [0, 1], ["stdin"] if cut <= 16 else [], stdin=rel)
    # Short prefixes of the committed samples themselves.
    for source in sorted((ROOT / "Tests/Fixtures/video").glob("*")) + [ROOT / "samples/shapes.mp4"]:
        if source.suffix in (".json", ".rgb"):
            continue
        data = source.read_bytes()
        for cut in [4, 300, 4096]:
            rel = write(f"video/sample.{source.stem}.prefix{cut}{source.suffix}", data[:cut])
            case(f"sample-prefix-{source.stem}{source.suffix}-{cut}",
                 ["run", PIPELINE, "--input", rel, "--events", "-", "--quiet"],
                 1 if (cut <= 300 and source.suffix != ".mjpeg") or source.suffix == ".wav" else [0, 1],
                 [Path(rel).name])


def damage_images():
    sources = {"png": ROOT / IMAGE, "jpg": ROOT / "Tests/Fixtures/media/photo_yuv420.jpg"}
    for ext, source in sources.items():
        data = source.read_bytes()
        n = len(data)
        for cut in [1, 8, 33, 100, n // 3, n - 8]:
            rel = write(f"image/trunc{cut}.{ext}", data[:cut])
            case(f"image-trunc-{ext}-{cut}", ["classify", "--model", CLIP, "--label", "cat", "--label", "dog", rel],
                 1 if cut <= 100 else [0, 1], [Path(rel).name])
        for k in range(6):
            flipped = bytearray(data)
            for _ in range([1, 4, 32, 1, 8, 128][k]):
                i = rng.randrange(0, min(n, 64) if k in (3, 4) else n)
                flipped[i] ^= 1 << rng.randrange(8)
            rel = write(f"image/flip{k}.{ext}", bytes(flipped))
            case(f"image-flip-{ext}-{k}", ["detect", "--model", OWL, "--query", "a cat", rel],
                 [0, 1], [Path(rel).name])
    for name, data in [("text.png", b"this is not an image\n"), ("zeros.jpg", bytes(1024)),
                       ("json.png", b"{}"), ("header-only.png", b"\x89PNG\r\n\x1a\n")]:
        rel = write(f"image/{name}", data)
        case(f"image-not-image-{name}", ["segment", "--model", SEG, "--prompt", "sky", rel], 1, [name])


def zero_length():
    empty = write("empty/empty.mp4", b"")
    case("zero-video-file", ["run", PIPELINE, "--input", empty, "--events", "-", "--quiet"], 1, ["empty.mp4"])
    case("zero-video-stdin", ["run", PIPELINE, "--input", "-", "--events", "-", "--quiet"], 1, ["stdin"], stdin=empty)
    case("zero-raw-stdin", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24", "--raw-fps", "10",
                            "--events", "-", "--quiet"], 0, [], stdin=empty,
         note="no frames is not an error for raw input: the run ends with an empty summary")
    img = write("empty/empty.png", b"")
    case("zero-image", ["classify", "--model", CLIP, "--label", "a", "--label", "b", img], 1, ["empty.png"])
    yaml = write("empty/empty.yaml", b"")
    case("zero-pipeline", ["run", yaml, "--input", IMAGE], 1, ["empty.yaml", "empty"])
    for name in ["config.json", "model.safetensors", "preprocessor_config.json", "vocab.json", "merges.txt"]:
        d = checkpoint(f"empty/ckpt-{name.split('.')[0]}", CLIP, {name: b""})
        case(f"zero-{name}", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1, [name])


def raw_stdin():
    data = (ROOT / "Tests/Fixtures/video/raw_32x24.rgb").read_bytes()
    frame = 32 * 24 * 3
    for cut in [1, frame - 1, frame + 1, frame * 2 + 100, len(data) - 3]:
        rel = write(f"raw/partial{cut}.rgb", data[:cut])
        case(f"raw-partial-{cut}", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24", "--raw-fps", "10",
                                    "--events", "-"], 1, ["stdin", f"{cut % frame} bytes"], stdin=rel, summary=True,
             note="complete frames are processed, then the short tail is an error with its byte count")
    whole = f"Tests/Fixtures/video/raw_32x24.rgb"
    case("raw-size-zero", ["run", PIPELINE, "--input", "-", "--raw-size", "0x24", "--raw-fps", "10"], 2,
         ["--raw-size"], stdin=whole)
    case("raw-size-text", ["run", PIPELINE, "--input", "-", "--raw-size", "big", "--raw-fps", "10"], 2,
         ["--raw-size"], stdin=whole)
    case("raw-size-huge", ["run", PIPELINE, "--input", "-", "--raw-size", "100000x100000", "--raw-fps", "10"], 1,
         ["100000"], stdin=whole)
    case("raw-fps-missing", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24"], 2, ["--raw-fps"], stdin=whole)
    case("raw-fps-zero", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24", "--raw-fps", "0"], [1, 2],
         ["fps"], stdin=whole)
    case("raw-fps-negative", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24", "--raw-fps=-5"], [1, 2],
         ["fps"], stdin=whole)
    case("raw-fps-nan", ["run", PIPELINE, "--input", "-", "--raw-size", "32x24", "--raw-fps", "nan"], [1, 2],
         ["fps"], stdin=whole)
    case("raw-wrong-size", ["run", PIPELINE, "--input", "-", "--raw-size", "50x50", "--raw-fps", "10",
                            "--events", "-"], 1, ["stdin", "1716 bytes"], stdin=whole, summary=True,
         note="9216 bytes are one 50x50 frame (7500) and a 1716-byte tail")


# ---------------------------------------------------------------- safetensors that lie

def safetensors(header, data=b"", length=None):
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def lying_safetensors():
    f32 = lambda shape, a, b: {"dtype": "F32", "shape": shape, "data_offsets": [a, b]}
    good = {"w": f32([2], 0, 8)}
    data8 = bytes(8)
    cases = {
        "short-4-bytes": (b"\x01\x02\x03\x04", "too short"),
        "length-max-uint64": (safetensors(good, data8, length=2**64 - 1), "header claims"),
        "length-2-pow-63": (safetensors(good, data8, length=2**63), "header claims"),
        "length-one-past-end": (safetensors(good, data8, length=len(json.dumps(good)) + 9), "header claims"),
        "length-zero": (safetensors(b"", data8), "header"),
        "header-not-utf8": (safetensors(b'{"w\xff\xfe": {"dtype": "F32"}}'), "UTF-8"),
        "header-bad-json": (safetensors(b'{"w": {"dtype": "F32", '), "not valid JSON"),
        "header-array": (safetensors(b"[1, 2, 3]"), "not an object"),
        "header-string": (safetensors(b'"tensors"'), "not an object"),
        "header-number": (safetensors(b"42"), "not an object"),
        "header-null": (safetensors(b"null"), "not an object"),
        "header-true": (safetensors(b"true"), "not an object"),
        "header-nested-deep": (safetensors(b"[" * 20000 + b"]" * 20000), "header"),
        "header-nested-object": (safetensors(b'{"w": ' * 3000 + b"1" + b"}" * 3000), "header"),
        "entry-not-object": (safetensors({"w": 5}), "not an object"),
        "entry-no-dtype": (safetensors({"w": {"shape": [2], "data_offsets": [0, 8]}}, data8), "no dtype"),
        "dtype-number": (safetensors({"w": {"dtype": 7, "shape": [2], "data_offsets": [0, 8]}}, data8), "dtype"),
        "dtype-unknown": (safetensors({"w": {"dtype": "F128", "shape": [2], "data_offsets": [0, 8]}}, data8), "unknown dtype"),
        "dtype-empty": (safetensors({"w": {"dtype": "", "shape": [2], "data_offsets": [0, 8]}}, data8), "dtype"),
        "shape-missing": (safetensors({"w": {"dtype": "F32", "data_offsets": [0, 8]}}, data8), "shape"),
        "shape-string": (safetensors({"w": {"dtype": "F32", "shape": "2", "data_offsets": [0, 8]}}, data8), "shape"),
        "shape-negative": (safetensors({"w": f32([-2], 0, 8)}, data8), "shape"),
        "shape-fraction": (safetensors({"w": f32([2.5], 0, 8)}, data8), "shape"),
        "shape-strings": (safetensors({"w": f32(["2"], 0, 8)}, data8), "shape"),
        "shape-overflow": (safetensors({"w": f32([2**31, 2**31, 2**31], 0, 8)}, data8), "shape"),
        "shape-huge-float": (safetensors({"w": f32([1e300], 0, 8)}, data8), "shape"),
        "shape-bool": (safetensors({"w": f32([True, True], 0, 8)}, data8), "shape"),
        "offsets-missing": (safetensors({"w": {"dtype": "F32", "shape": [2]}}, data8), "data_offsets"),
        "offsets-three": (safetensors({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4, 8]}}, data8), "data_offsets"),
        "offsets-decreasing": (safetensors({"w": f32([2], 8, 0)}, data8), "data_offsets"),
        "offsets-negative": (safetensors({"w": f32([2], -8, 0)}, data8), "data_offsets"),
        "offsets-past-end": (safetensors({"w": f32([2], 0, 8)}, bytes(4)), "data region"),
        "offsets-far-past-end": (safetensors({"w": f32([2**20], 2**40, 2**40 + 2**22)}, data8), "data region"),
        "offsets-huge-float": (safetensors({"w": f32([2], 1e300, 1e300)}, data8), "data_offsets"),
        "offsets-strings": (safetensors({"w": f32([2], "0", "8")}, data8), "data_offsets"),
        "overlap": (safetensors({"a": f32([2], 0, 8), "b": f32([2], 4, 12)}, bytes(12)), "overlap"),
        "overlap-same": (safetensors({"a": f32([2], 0, 8), "b": f32([2], 0, 8)}, data8), "overlap"),
        "overlap-contained": (safetensors({"a": f32([4], 0, 16), "b": f32([1], 4, 8)}, bytes(16)), "overlap"),
        "dtype-shape-mismatch": (safetensors({"w": f32([3], 0, 8)}, data8), "needs"),
        "f16-span-mismatch": (safetensors({"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 8]}}, data8), "needs"),
        "metadata-not-object": (safetensors({"__metadata__": [1], **good}, data8), "__metadata__"),
        "metadata-value-number": (safetensors({"__metadata__": {"format": 1}, **good}, data8), "__metadata__"),
        "no-tensors": (safetensors({}), "missing"),
        "only-metadata": (safetensors({"__metadata__": {"format": "pt"}}), "missing"),
        "unrelated-tensor": (safetensors(good, data8), "missing"),
        "int-dtype-tensor": (safetensors({"logit_scale": {"dtype": "I32", "shape": [], "data_offsets": [0, 4]}}, bytes(4)), "logit_scale"),
    }
    for name, (data, problem) in cases.items():
        d = checkpoint(f"safetensors/{name}", CLIP, {"model.safetensors": data})
        case(f"safetensors-{name}", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1,
             ["model.safetensors", problem])
    # The same lies reach detect, segment and embed through the same reader.
    for cmd, base, extra in [("detect", OWL, ["--query", "a cat", IMAGE]), ("segment", SEG, ["--prompt", "sky", IMAGE]),
                             ("embed", CLIP, ["--text", "a cat"])]:
        for name in ["length-max-uint64", "overlap", "offsets-past-end", "header-not-utf8"]:
            data, problem = cases[name]
            d = checkpoint(f"safetensors/{cmd}-{name}", base, {"model.safetensors": data})
            case(f"safetensors-{cmd}-{name}", [cmd, "--model", d, *extra], 1, ["model.safetensors", problem])


# ---------------------------------------------------------------- config.json

def set_path(obj, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        obj = obj[k]
    if value is DELETE:
        del obj[keys[-1]]
    else:
        obj[keys[-1]] = value


DELETE = object()


def bad_configs():
    for label, base, cmd in [("clip", CLIP, ["classify", "--label", "a", "--label", "b", IMAGE]),
                             ("owlvit", OWL, ["detect", "--query", "a cat", IMAGE]),
                             ("clipseg", SEG, ["segment", "--prompt", "sky", IMAGE])]:
        config = json.loads((ROOT / base / "config.json").read_text())
        paths = ["text_config.hidden_size", "text_config.num_attention_heads", "text_config.num_hidden_layers",
                 "text_config.intermediate_size", "text_config.max_position_embeddings", "text_config.vocab_size",
                 "vision_config.hidden_size", "vision_config.image_size", "vision_config.patch_size",
                 "vision_config.num_attention_heads", "vision_config.num_channels"]
        values = {"string": "12", "zero": 0, "negative": -3, "fraction": 2.5, "huge": 10**12, "list": [12]}
        for path in paths:
            for vname, value in values.items():
                if label != "clip" and vname not in ("string", "zero", "huge"):
                    continue
                c = json.loads(json.dumps(config))
                set_path(c, path, value)
                d = checkpoint(f"config/{label}-{path.replace('_config.', '-')}-{vname}", base,
                               {"config.json": json.dumps(c, indent=1).encode()})
                case(f"config-{label}-{path}-{vname}", [cmd[0], "--model", d, *cmd[1:]], 1,
                     [path.split(".")[-1]])
        specials = {
            "model-type-unknown": (lambda c: set_path(c, "model_type", "bert"), ["model_type", "bert"]),
            "model-type-missing": (lambda c: set_path(c, "model_type", DELETE), ["model_type"]),
            "model-type-number": (lambda c: set_path(c, "model_type", 3), ["model_type"]),
            "text-config-list": (lambda c: set_path(c, "text_config", [1]), ["text_config"]),
            "vision-config-string": (lambda c: set_path(c, "vision_config", "big"), ["vision_config"]),
            "hidden-act-unknown": (lambda c: set_path(c, "vision_config.hidden_act", "swish9"), ["hidden_act", "swish9"]),
            "heads-not-dividing": (lambda c: set_path(c, "vision_config.num_attention_heads", 5), ["num_attention_heads"]),
            "patch-larger-than-image": (lambda c: set_path(c, "vision_config.patch_size", 64), ["patch"]),
        }
        for sname, (mutate, want) in specials.items():
            c = json.loads(json.dumps(config))
            mutate(c)
            d = checkpoint(f"config/{label}-{sname}", base, {"config.json": json.dumps(c, indent=1).encode()})
            case(f"config-{label}-{sname}", [cmd[0], "--model", d, *cmd[1:]], 1, want)
    for name, data in [("not-json", b"model_type: clip\n"), ("array", b"[]"), ("string", b'"clip"'),
                       ("null", b"null"), ("truncated", b'{"model_type": "clip", "text_'),
                       ("not-utf8", b'{"model_type": "cl\xffip"}')]:
        d = checkpoint(f"config/raw-{name}", CLIP, {"config.json": data})
        case(f"config-raw-{name}", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1, ["config.json"])
    d = checkpoint("config/missing", CLIP, {"config.json": None})
    case("config-missing", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1, ["config.json"])
    # preprocessor_config.json
    pre = json.loads((ROOT / CLIP / "preprocessor_config.json").read_text())
    for pname, mutate, want in [
        ("size-string", lambda p: set_path(p, "size", "big"), "size"),
        ("size-zero", lambda p: set_path(p, "size", {"shortest_edge": 0}), "size"),
        ("size-negative", lambda p: set_path(p, "size", {"shortest_edge": -32}), "size"),
        ("size-huge", lambda p: set_path(p, "size", {"shortest_edge": 10**9}), "size"),
        ("crop-zero", lambda p: set_path(p, "crop_size", {"height": 0, "width": 32}), "crop_size"),
        ("crop-huge", lambda p: set_path(p, "crop_size", {"height": 10**9, "width": 10**9}), "crop_size"),
        ("mean-short", lambda p: set_path(p, "image_mean", [0.5]), "image_mean"),
        ("mean-strings", lambda p: set_path(p, "image_mean", ["a", "b", "c"]), "image_mean"),
        ("std-zero", lambda p: set_path(p, "image_std", [0, 0, 0]), "image_std"),
        ("resample-unknown", lambda p: set_path(p, "resample", 99), "resample"),
        ("resample-string", lambda p: set_path(p, "resample", "bicubic"), "resample"),
        ("rescale-string", lambda p: set_path(p, "rescale_factor", "1/255"), "rescale_factor"),
        ("do-resize-string", lambda p: set_path(p, "do_resize", "yes"), "do_resize"),
    ]:
        p = json.loads(json.dumps(pre))
        mutate(p)
        d = checkpoint(f"preprocessor/{pname}", CLIP, {"preprocessor_config.json": json.dumps(p).encode()})
        case(f"preprocessor-{pname}", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1,
             ["preprocessor_config.json", want])
    for name, data in [("not-json", b"<xml/>"), ("array", b"[1]")]:
        d = checkpoint(f"preprocessor/raw-{name}", CLIP, {"preprocessor_config.json": data})
        case(f"preprocessor-raw-{name}", ["classify", "--model", d, "--label", "a", "--label", "b", IMAGE], 1,
             ["preprocessor_config.json"])


# ---------------------------------------------------------------- vocab.json and merges.txt

def bad_tokenizers():
    vocab = json.loads((ROOT / TOKENIZER / "vocab.json").read_text())
    merges = (ROOT / TOKENIZER / "merges.txt").read_bytes()
    head = b"\n".join(merges.split(b"\n")[:200])
    small_vocab = {k: v for k, v in list(vocab.items())[:600]}
    cases = {
        "vocab-missing": ({"vocab.json": None}, "vocab.json"),
        "merges-missing": ({"merges.txt": None}, "merges.txt"),
        "both-missing": ({"vocab.json": None, "merges.txt": None}, "vocab.json"),
        "vocab-not-json": ({"vocab.json": b"hello: 1\n"}, "vocab.json"),
        "vocab-truncated": ({"vocab.json": b'{"a": 1, "b": '}, "vocab.json"),
        "vocab-array": ({"vocab.json": b'["a", "b"]'}, "vocab.json"),
        "vocab-string-ids": ({"vocab.json": json.dumps({k: str(v) for k, v in small_vocab.items()}).encode()}, "vocab.json"),
        "vocab-negative-id": ({"vocab.json": json.dumps({**small_vocab, "<|startoftext|>": -1}).encode()}, "vocab.json"),
        "vocab-huge-id": ({"vocab.json": json.dumps({**small_vocab, "<|startoftext|>": 10**15}).encode()}, "vocab.json"),
        "vocab-fraction-id": ({"vocab.json": json.dumps({**small_vocab, "a": 1.5}).encode()}, "vocab.json"),
        "vocab-no-specials": ({"vocab.json": json.dumps({k: v for k, v in small_vocab.items() if not k.startswith("<|")}).encode()}, "vocab.json"),
        "vocab-not-utf8": ({"vocab.json": b'{"a\xff": 1}'}, "vocab.json"),
        "vocab-empty-object": ({"vocab.json": b"{}"}, "vocab.json"),
        "vocab-duplicate-ids": ({"vocab.json": json.dumps({k: 5 for k in small_vocab}).encode()}, "vocab.json"),
        "merges-no-version": ({"merges.txt": b"\n".join(merges.split(b"\n")[1:2000])}, None),
        "merges-one-token-lines": ({"merges.txt": b"#version: 0.2\nab\ncd\n"}, "merges.txt"),
        "merges-three-token-lines": ({"merges.txt": b"#version: 0.2\na b c\n"}, "merges.txt"),
        "merges-unknown-tokens": ({"merges.txt": b"#version: 0.2\nzz\xc3\xa9 qq\xc3\xa9\n"}, "merges.txt"),
        "merges-not-utf8": ({"merges.txt": head + b"\n\xff\xfe x\n"}, "merges.txt"),
        "merges-binary": ({"merges.txt": bytes(range(256)) * 4}, "merges.txt"),
        "merges-short": ({"merges.txt": head}, None),
        "vocab-and-merges-disagree": ({"vocab.json": json.dumps(small_vocab).encode()}, "vocab.json"),
    }
    for name, (replace, want) in cases.items():
        d = checkpoint(f"tokenizer/{name}", CLIP, replace)
        status, contains = (1, [want]) if want else ([0, 1], [])
        case(f"tokenizer-{name}", ["embed", "--model", d, "--text", "a red circle"], status, contains,
             note="" if want else "a merges file that loses merges still tokenizes (differently); not an error")
    # Deep nesting: recursive parsers must not run out of stack (20,000 levels, 40 KB).
    deep = b"[" * 20000 + b"]" * 20000
    d = checkpoint("tokenizer/tokenizer-json-deep", CLIP, {"tokenizer.json": b'{"model": ' + deep + b', "added_tokens": []}'})
    case("tokenizer-tokenizer-json-deep", ["embed", "--model", d, "--text", "a"], [0, 1], ["tokenizer.json"])
    for name in ["tokenizer_config.json", "special_tokens_map.json", "config.json", "preprocessor_config.json"]:
        d = checkpoint(f"tokenizer/deep-{name.split('.')[0]}", CLIP, {name: b'{"x": ' + deep + b"}"})
        case(f"deep-{name}", ["embed", "--model", d, "--text", "a"], 1, [name])
    for name in ["tokenizer-config-not-json", "tokenizer-config-array"]:
        data = b"{{" if name.endswith("json") else b"[]"
        d = checkpoint(f"tokenizer/{name}", CLIP, {"tokenizer_config.json": data})
        case(f"tokenizer-{name}", ["embed", "--model", d, "--text", "a"], 1, ["tokenizer_config.json"])


# ---------------------------------------------------------------- pipeline files

GOOD_STAGE = f"""  - name: scene
    task: classify
    model: {CLIP}
    labels: [red circle, blue square]
"""


def pipelines():
    write("pipelines/classify-tiny.yaml", f"""# The pipeline every damaged-video case runs: tiny CLIP, every frame, events on stdout.
stages:
{GOOD_STAGE}events:
  min_frames: 1
  gap_frames: 1
""")
    video = "Tests/Fixtures/video/pipe.nut"
    bad = {
        # (yaml text, substrings: the key or the problem)
        "not-yaml-tabs": ("stages:\n\t- name: x\n", ["YAML"]),
        "not-yaml-unclosed": ("stages: [a, b\n", ["YAML"]),
        "not-yaml-quote": ('stages:\n  - name: "x\n', ["YAML"]),
        "binary": ("\x00\x01\x02stages", []),
        "top-list": ("- a\n- b\n", []),
        "top-scalar": ("just a string\n", []),
        "top-number": ("42\n", []),
        "comment-only": ("# nothing here\n", []),
        "null-document": ("~\n", []),
        "unknown-top-key": (f"stages:\n{GOOD_STAGE}sink:\n  events: '-'\n", ["sink"]),
        "stages-missing": ("events:\n  min_frames: 1\n", ["stages"]),
        "stages-empty": ("stages: []\n", ["stages"]),
        "stages-mapping": ("stages:\n  name: x\n", ["stages"]),
        "stages-scalar": ("stages: classify\n", ["stages"]),
        "stage-scalar": ("stages:\n  - classify\n", ["stages"]),
        "stage-no-name": (f"stages:\n  - task: classify\n    model: {CLIP}\n    labels: [a]\n", ["name"]),
        "stage-name-dots": (GOOD_STAGE.replace("name: scene", "name: a.b").join(["stages:\n", ""]), ["name"]),
        "stage-name-section": (GOOD_STAGE.replace("name: scene", "name: events").join(["stages:\n", ""]), ["name"]),
        "stage-name-empty": (GOOD_STAGE.replace("name: scene", "name: ''").join(["stages:\n", ""]), ["name"]),
        "stage-name-list": (GOOD_STAGE.replace("name: scene", "name: [a]").join(["stages:\n", ""]), ["name"]),
        "stage-duplicate-name": ("stages:\n" + GOOD_STAGE + GOOD_STAGE, ["scene"]),
        "stage-no-task": (f"stages:\n  - name: x\n    model: {CLIP}\n    labels: [a]\n", ["task"]),
        "stage-task-unknown": (GOOD_STAGE.replace("task: classify", "task: caption").join(["stages:\n", ""]), ["task", "caption"]),
        "stage-task-number": (GOOD_STAGE.replace("task: classify", "task: 3").join(["stages:\n", ""]), ["task"]),
        "stage-unknown-key": (GOOD_STAGE.join(["stages:\n", "    colour: red\n"]), ["colour"]),
        "stage-detect-key-on-classify": (GOOD_STAGE.join(["stages:\n", "    nms: 0.5\n"]), ["nms"]),
        "stage-queries-on-classify": (GOOD_STAGE.join(["stages:\n", "    queries: [a]\n"]), ["queries"]),
        "stage-no-model": ("stages:\n  - name: x\n    task: classify\n    labels: [a]\n", ["model"]),
        "stage-model-empty": (GOOD_STAGE.replace(f"model: {CLIP}", "model: ''").join(["stages:\n", ""]), ["model"]),
        "stage-model-list": (GOOD_STAGE.replace(f"model: {CLIP}", "model: [a, b]").join(["stages:\n", ""]), ["model"]),
        "stage-model-missing-dir": (GOOD_STAGE.replace(f"model: {CLIP}", "model: no/such/model-dir").join(["stages:\n", ""]), ["no/such/model-dir"]),
        "stage-model-is-file": (GOOD_STAGE.replace(f"model: {CLIP}", f"model: {IMAGE}").join(["stages:\n", ""]), ["image.png"]),
        "stage-model-wrong-kind": (f"stages:\n  - name: x\n    task: detect\n    model: {CLIP}\n    queries: [a]\n", ["clip"]),
        "stage-no-labels": (f"stages:\n  - name: x\n    task: classify\n    model: {CLIP}\n", ["labels"]),
        "stage-labels-empty": (GOOD_STAGE.replace("labels: [red circle, blue square]", "labels: []").join(["stages:\n", ""]), ["labels"]),
        "stage-labels-scalar": (GOOD_STAGE.replace("labels: [red circle, blue square]", "labels: red").join(["stages:\n", ""]), ["labels"]),
        "stage-labels-mapping": (GOOD_STAGE.replace("labels: [red circle, blue square]", "labels: {a: 1}").join(["stages:\n", ""]), ["labels"]),
        "stage-labels-nested": (GOOD_STAGE.replace("labels: [red circle, blue square]", "labels: [[a], b]").join(["stages:\n", ""]), ["labels"]),
        "stage-labels-null-item": (GOOD_STAGE.replace("labels: [red circle, blue square]", "labels: [a, ~]").join(["stages:\n", ""]), ["labels"]),
        "stage-template-no-braces": (GOOD_STAGE.join(["stages:\n", "    template: a photo\n"]), ["template"]),
        "stage-template-list": (GOOD_STAGE.join(["stages:\n", "    template: [a]\n"]), ["template"]),
        "stage-threshold-high": (GOOD_STAGE.join(["stages:\n", "    threshold: 1.5\n"]), ["threshold"]),
        "stage-threshold-negative": (GOOD_STAGE.join(["stages:\n", "    threshold: -0.1\n"]), ["threshold"]),
        "stage-threshold-string": (GOOD_STAGE.join(["stages:\n", "    threshold: high\n"]), ["threshold"]),
        "stage-threshold-nan": (GOOD_STAGE.join(["stages:\n", "    threshold: .nan\n"]), ["threshold"]),
        "stage-threshold-inf": (GOOD_STAGE.join(["stages:\n", "    threshold: .inf\n"]), ["threshold"]),
        "stage-batch-zero": (GOOD_STAGE.join(["stages:\n", "    batch: 0\n"]), ["batch"]),
        "stage-batch-fraction": (GOOD_STAGE.join(["stages:\n", "    batch: 2.5\n"]), ["batch"]),
        "stage-batch-huge": (GOOD_STAGE.join(["stages:\n", "    batch: 99999999999999999999999\n"]), ["batch"]),
        "stage-batch-bool": (GOOD_STAGE.join(["stages:\n", "    batch: true\n"]), ["batch"]),
        "stage-batch-billion": (GOOD_STAGE.join(["stages:\n", "    batch: 1000000000\n"]), None),
        "stage-top-k-billion": (f"stages:\n  - name: x\n    task: detect\n    model: {OWL}\n    queries: [a]\n    top_k: 1000000000\n", None),
        "events-gap-billion": ("stages:\n" + GOOD_STAGE + "events:\n  gap_frames: 1000000000\n  min_frames: 1000000000\n", None),
        "source-every-billion": ("source:\n  every: 1000000000\nstages:\n" + GOOD_STAGE, None),
        "detect-nms-high": (f"stages:\n  - name: x\n    task: detect\n    model: {OWL}\n    queries: [a]\n    nms: 2\n", ["nms"]),
        "detect-topk-zero": (f"stages:\n  - name: x\n    task: detect\n    model: {OWL}\n    queries: [a]\n    top_k: 0\n", ["top_k"]),
        "detect-labels-key": (f"stages:\n  - name: x\n    task: detect\n    model: {OWL}\n    labels: [a]\n", ["labels"]),
        "segment-no-prompts": (f"stages:\n  - name: x\n    task: segment\n    model: {SEG}\n", ["prompts"]),
        "source-every-zero": ("source:\n  every: 0\nstages:\n" + GOOD_STAGE, ["every"]),
        "source-every-negative": ("source:\n  every: -2\nstages:\n" + GOOD_STAGE, ["every"]),
        "source-every-string": ("source:\n  every: often\nstages:\n" + GOOD_STAGE, ["every"]),
        "source-fps-zero": ("source:\n  fps: 0\nstages:\n" + GOOD_STAGE, ["fps"]),
        "source-fps-negative": ("source:\n  fps: -5\nstages:\n" + GOOD_STAGE, ["fps"]),
        "source-fps-nan": ("source:\n  fps: .nan\nstages:\n" + GOOD_STAGE, ["fps"]),
        "source-every-and-fps": ("source:\n  every: 2\n  fps: 5\nstages:\n" + GOOD_STAGE, ["fps"]),
        "source-size-bad": ("source:\n  size: big\nstages:\n" + GOOD_STAGE, ["size"]),
        "source-size-zero": ("source:\n  size: 0x10\nstages:\n" + GOOD_STAGE, ["size"]),
        "source-size-huge": ("source:\n  size: 1000000x1000000\nstages:\n" + GOOD_STAGE, ["size"]),
        "source-unknown-key": ("source:\n  rate: 5\nstages:\n" + GOOD_STAGE, ["rate"]),
        "source-list": ("source: [1]\nstages:\n" + GOOD_STAGE, ["source"]),
        "queue-capacity-zero": ("queue:\n  capacity: 0\nstages:\n" + GOOD_STAGE, ["capacity"]),
        "queue-capacity-negative": ("queue:\n  capacity: -1\nstages:\n" + GOOD_STAGE, ["capacity"]),
        "queue-capacity-huge": ("queue:\n  capacity: 1000000000000\nstages:\n" + GOOD_STAGE, ["capacity"]),
        "queue-policy-unknown": ("queue:\n  policy: sometimes\nstages:\n" + GOOD_STAGE, ["policy", "sometimes"]),
        "queue-unknown-key": ("queue:\n  size: 3\nstages:\n" + GOOD_STAGE, ["size"]),
        "queue-scalar": ("queue: 8\nstages:\n" + GOOD_STAGE, ["queue"]),
        "stage-queue-bad": (GOOD_STAGE.join(["stages:\n", "    queue:\n      policy: drop\n"]), ["policy"]),
        "events-min-frames-zero": ("stages:\n" + GOOD_STAGE + "events:\n  min_frames: 0\n", ["min_frames"]),
        "events-gap-string": ("stages:\n" + GOOD_STAGE + "events:\n  gap_frames: soon\n", ["gap_frames"]),
        "events-min-score-high": ("stages:\n" + GOOD_STAGE + "events:\n  min_score: 3\n", ["min_score"]),
        "events-frames-string": ("stages:\n" + GOOD_STAGE + "events:\n  frames: maybe\n", ["frames"]),
        "events-unknown-key": ("stages:\n" + GOOD_STAGE + "events:\n  min_frame: 2\n", ["min_frame"]),
        "events-rules-list": ("stages:\n" + GOOD_STAGE + "events:\n  rules: [a]\n", ["rules"]),
        "events-rule-unknown-key": ("stages:\n" + GOOD_STAGE + "events:\n  rules:\n    red circle:\n      after: 2\n", ["after"]),
        "events-rule-bad-value": ("stages:\n" + GOOD_STAGE + "events:\n  rules:\n    red circle:\n      min_frames: -1\n", ["min_frames"]),
        "events-scalar": ("stages:\n" + GOOD_STAGE + "events: yes\n", ["events"]),
        "annotate-unknown-key": ("stages:\n" + GOOD_STAGE + "annotate:\n  labels: true\n", ["labels"]),
        "annotate-boxes-string": ("stages:\n" + GOOD_STAGE + "annotate:\n  boxes: sure\n", ["boxes"]),
        "sinks-unknown-key": ("stages:\n" + GOOD_STAGE + "sinks:\n  log: x.txt\n", ["log"]),
        "sinks-events-list": ("stages:\n" + GOOD_STAGE + "sinks:\n  events: [a]\n", ["events"]),
        "sinks-events-unwritable": ("stages:\n" + GOOD_STAGE + "sinks:\n  events: /proc/no/such/dir/events.ndjson\n", ["/proc/no/such/dir"]),
        "sinks-video-unwritable": ("stages:\n" + GOOD_STAGE + "sinks:\n  video: /proc/no/such/dir/out.mp4\n", ["/proc/no/such/dir"]),
        "sinks-frames-unwritable": ("stages:\n" + GOOD_STAGE + "sinks:\n  frames: /proc/no/such/dir\n", ["/proc/no/such/dir"]),
        "sinks-video-bad-extension": ("stages:\n" + GOOD_STAGE + "sinks:\n  video: /tmp/clipstream-bad-input.xyz123\n", ["xyz123"]),
        "anchor-alias-bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                              "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                              "stages: [*f]\n", []),
        "deep-nesting": ("stages: " + "[" * 5000 + "]" * 5000 + "\n", []),
        "duplicate-keys": ("stages:\n" + GOOD_STAGE + "stages:\n" + GOOD_STAGE, []),
        "merge-key": ("base: &b {task: classify}\nstages:\n  - <<: *b\n    name: x\n", []),
        "not-utf8": ("stages:\n  - name: \udcff\n", []),
    }
    for name, (text, want) in bad.items():
        data = text.encode("utf-8", "surrogateescape")
        rel = write(f"pipelines/{name}.yaml", data)
        # Sink cases must not pass --events, which would replace the sink under test.
        events = [] if name.startswith("sinks-") else ["--events", "-"]
        if want is None:  # legal, if odd: the run must still work
            case(f"pipeline-{name}", ["run", rel, "--input", video, *events, "--quiet"], 0, [])
            continue
        case(f"pipeline-{name}", ["run", rel, "--input", video, *events, "--quiet"], 1,
             [f"{name}.yaml", *want] if not name.startswith("sinks-") and not name.startswith("stage-model-")
             else want)
    # Mistakes in --set overrides.
    for name, setting, want, status in [
        ("set-no-equals", "scene.threshold", "scene.threshold", 1),
        ("set-no-dot", "threshold=0.5", "threshold", 1),
        ("set-unknown-stage", "nothere.threshold=0.5", "nothere", 1),
        ("set-unknown-key", "scene.colour=red", "colour", 1),
        ("set-bad-value", "scene.threshold=lots", "threshold", 1),
        ("set-out-of-range", "scene.threshold=7", "threshold", 1),
        ("set-bad-yaml", "scene.labels=[a, b", "labels", 1),
        ("set-empty", "=", "", 1),
    ]:
        case(f"pipeline-{name}", ["run", PIPELINE, "--set", setting, "--input", video, "--events", "-", "--quiet"],
             status, [want] if want else [])
    case("pipeline-missing-file", ["run", f"{REL}/pipelines/no-such.yaml", "--input", video], 1, ["no-such.yaml"])
    case("pipeline-is-directory", ["run", f"{REL}/pipelines", "--input", video], 1, ["pipelines"])
    case("input-missing-file", ["run", PIPELINE, "--input", "no/such/video.mp4"], 1, ["no/such/video.mp4"])
    case("input-is-directory", ["run", PIPELINE, "--input", "Tests/Fixtures/video"], 1, ["Tests/Fixtures/video"])
    case("input-audio-only", ["run", PIPELINE, "--input", "Tests/Fixtures/video/audio_only.wav"], 1, ["audio_only.wav"])
    case("input-text-file", ["run", PIPELINE, "--input", "tools/make_bad_inputs.py"], 1, ["make_bad_inputs.py"])


def usage_errors():
    m = ["--model", CLIP]
    for name, args, want in [

        ("unknown-command", ["explode"], "explode"),
        ("classify-no-labels", ["classify", *m, IMAGE], "--label"),
        ("classify-no-images", ["classify", *m, "--label", "a"], ""),
        ("classify-no-model", ["classify", "--label", "a", IMAGE], "--model"),
        ("classify-template-no-braces", ["classify", *m, "--label", "a", "--template", "photo", IMAGE], "template"),
        ("detect-no-queries", ["detect", "--model", OWL, IMAGE], "--query"),
        ("detect-threshold-high", ["detect", "--model", OWL, "--query", "a", "--threshold", "2", IMAGE], "threshold"),
        ("detect-threshold-nan", ["detect", "--model", OWL, "--query", "a", "--threshold", "nan", IMAGE], "threshold"),
        ("detect-nms-negative", ["detect", "--model", OWL, "--query", "a", "--nms=-1", IMAGE], "nms"),
        ("segment-no-prompts", ["segment", "--model", SEG, IMAGE], "--prompt"),
        ("segment-threshold-text", ["segment", "--model", SEG, "--prompt", "a", "--threshold", "x", IMAGE], "threshold"),
        ("embed-nothing", ["embed", *m], ""),
        ("run-no-pipeline", ["run"], "pipeline"),
        ("run-quiet-verbose", ["run", PIPELINE, "--quiet", "--verbose", "--input", IMAGE], "--quiet"),
        ("unknown-option", ["classify", *m, "--label", "a", "--colour", IMAGE], "--colour"),
    ]:
        case(f"usage-{name}", args, 2, [want] if want else [])
    case("usage-no-command", [], 0, [], note="no subcommand prints the help on stdout")
    # Bad input (exit 1) on the one-shot commands.
    case("model-dir-missing", ["classify", "--model", "no/such/dir", "--label", "a", IMAGE], 1, ["no/such/dir"])
    case("model-repo-id-not-cached", ["classify", "--model", "nobody/no-such-model", "--label", "a", IMAGE], 1,
         ["nobody/no-such-model"])
    case("image-missing", ["classify", *m, "--label", "a", "no/such/image.png"], 1, ["no/such/image.png"])
    case("image-is-directory", ["classify", *m, "--label", "a", "Tests/Fixtures"], 1, ["Tests/Fixtures"])
    case("mask-out-unwritable", ["segment", "--model", SEG, "--prompt", "a", "--mask-out", "/proc/no/such", IMAGE], 1,
         ["/proc/no/such"])
    case("logits-out-is-file", ["segment", "--model", SEG, "--prompt", "a", "--logits-out", IMAGE, IMAGE], 1,
         ["image.png"])
    case("detect-degenerate-size", ["detect", "--model", OWL, "--query", "a", write("image/one-pixel.png", one_pixel_png())],
         [0, 1], ["one-pixel.png"])


def one_pixel_png():
    import zlib
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    pipelines()
    damage_videos()
    damage_images()
    zero_length()
    raw_stdin()
    lying_safetensors()
    bad_configs()
    bad_tokenizers()
    usage_errors()
    # One case per line: diffs stay readable.
    lines = ",\n".join("  " + json.dumps(c) for c in CASES)
    (OUT / "manifest.json").write_text(
        f'{{"generator": "tools/make_bad_inputs.py",\n "cases": [\n{lines}\n]}}\n')
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"{len(CASES)} cases, {size / 1e6:.2f} MB in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
