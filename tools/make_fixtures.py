#!/usr/bin/env python3
"""Writes every test fixture under Tests/Fixtures from the numerical reference.

Reference environment (see ../shared/anchors/README.md), versions pinned here:
    python3 -m venv /tmp/refenv
    /tmp/refenv/bin/pip install torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3 \
        safetensors==0.8.0 pillow==13.0.0 numpy==2.4.6 open-clip-torch scikit-image
    /tmp/refenv/bin/python tools/make_fixtures.py            # every area
    /tmp/refenv/bin/python tools/make_fixtures.py clip owlvit  # some areas

Each area is a module tools/fixtures/<area>.py with `make(root: Path)`; it writes only under
Tests/Fixtures/<area>/ and records in its outputs the command and versions that produced them.
Everything is seeded: running it twice gives the same files.
"""
import importlib
import sys
from pathlib import Path

PINNED = {
    "torch": "2.15.0",
    "transformers": "5.24.0",
    "tokenizers": "0.23.3",
    "safetensors": "0.8.0",
    "PIL": "13.0.0",
    "numpy": "2.4.6",
}

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent / "Tests" / "Fixtures"


def check_versions() -> dict:
    found = {}
    for name, want in PINNED.items():
        have = importlib.import_module(name).__version__
        found[name] = have
        if have.split("+")[0] != want:  # local build tags such as +cu132 do not change the numbers
            sys.exit(f"make_fixtures.py: {name} {have} is installed but the fixtures are pinned to {want}.")
    return found


def areas() -> list:
    return sorted(p.stem for p in (TOOLS / "fixtures").glob("*.py") if not p.stem.startswith("_"))


def main(argv):
    check_versions()
    sys.path.insert(0, str(TOOLS))
    wanted = argv or areas()
    unknown = set(wanted) - set(areas())
    if unknown:
        sys.exit(f"make_fixtures.py: no fixture area named {', '.join(sorted(unknown))}; have {', '.join(areas())}.")
    for area in wanted:
        module = importlib.import_module(f"fixtures.{area}")
        out = ROOT / area
        out.mkdir(parents=True, exist_ok=True)
        print(f"[{area}] -> {out.relative_to(ROOT.parent.parent)}", flush=True)
        module.make(out)


if __name__ == "__main__":
    main(sys.argv[1:])
