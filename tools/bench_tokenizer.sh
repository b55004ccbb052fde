#!/bin/sh
# Tokenizer throughput on the committed corpus (Tests/Fixtures/tokenizer/corpus.json).
# Builds Sources/Models/Tokenizer with tools/bench/TokenizerBench.swift as one module with a
# release build's optimisation (-O -wmo) so nothing else in the package needs compiling.
# Usage: tools/bench_tokenizer.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
swiftc -O -wmo -parse-as-library -module-name TokenizerBench \
    "$root"/Sources/Models/Tokenizer/*.swift "$root"/tools/bench/TokenizerBench.swift -o "$out/bench"
"$out/bench" "$root"
