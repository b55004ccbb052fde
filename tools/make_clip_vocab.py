#!/usr/bin/env python3
"""Derives the CLIP tokenizer files (vocab.json, merges.txt) from the BPE list that ships in the
open-clip-torch wheel (open_clip/bpe_simple_vocab_16e6.txt.gz).

The output has the layout and token order of the openai/clip-vit-base-patch32 Hugging Face repo,
which OpenAI's original SimpleTokenizer defines:
    ids 0..255        the 256 byte characters of the GPT-2 byte-to-unicode table, in table order
    ids 256..511      the same characters with the end-of-word suffix "</w>"
    ids 512..49405    one token per merge, the first 48894 merges of the list, in rank order
    49406, 49407      <|startoftext|>, <|endoftext|>
merges.txt is "#version: 0.2" followed by those 48894 merges, one "left right" pair per line.

Usage (any Python 3; the reference venv finds the file by itself):
    /tmp/refenv/bin/python tools/make_clip_vocab.py [path/to/bpe_simple_vocab_16e6.txt.gz]
Writes samples/tokenizer/vocab.json and samples/tokenizer/merges.txt. Deterministic.
"""
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "samples" / "tokenizer"
# OpenAI keeps 49152 - 256 - 2 merges so that bytes, merges and the two specials fill 49408 ids
# exactly (SimpleTokenizer: merges[1:49152-256-2+1]).
MERGE_COUNT = 49152 - 256 - 2
VOCAB_SIZE = 49408


def bytes_to_unicode() -> list:
    """GPT-2's reversible byte -> printable character table, in its canonical order: printable
    Latin-1 bytes first as themselves, then the remaining bytes mapped to U+0100 upwards."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    order, chars, extra = printable[:], printable[:], 0
    for b in range(256):
        if b not in printable:
            order.append(b)
            chars.append(256 + extra)
            extra += 1
    return [chr(c) for c in chars]


def default_source() -> Path:
    try:
        import open_clip  # noqa: F401  (only to locate the installed package)
    except ImportError:
        sys.exit("make_clip_vocab.py: open_clip is not installed; pass the path of bpe_simple_vocab_16e6.txt.gz.")
    return Path(open_clip.__file__).parent / "bpe_simple_vocab_16e6.txt.gz"


def main(argv) -> None:
    source = Path(argv[0]) if argv else default_source()
    lines = gzip.open(source).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1:MERGE_COUNT + 1]]
    if len(merges) != MERGE_COUNT or any(len(m) != 2 for m in merges):
        sys.exit(f"make_clip_vocab.py: {source} does not hold {MERGE_COUNT} two-part merges after its header.")

    byte_chars = bytes_to_unicode()
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m) for m in merges] \
        + ["<|startoftext|>", "<|endoftext|>"]
    vocab = {token: i for i, token in enumerate(tokens)}
    if len(vocab) != VOCAB_SIZE:
        sys.exit(f"make_clip_vocab.py: expected {VOCAB_SIZE} distinct tokens, got {len(vocab)}.")

    OUT.mkdir(parents=True, exist_ok=True)
    # One line, ids in increasing order, characters unescaped: the layout of the Hub repo's file.
    (OUT / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    with open(OUT / "merges.txt", "w", encoding="utf-8", newline="\n") as f:
        f.write("#version: 0.2\n")
        for left, right in merges:
            f.write(f"{left} {right}\n")
    print(f"wrote {OUT / 'vocab.json'} ({len(vocab)} tokens) and {OUT / 'merges.txt'} ({len(merges)} merges)")


if __name__ == "__main__":
    main(sys.argv[1:])
