#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted bytes with libFuzzer, each for a bounded time:
#   safetensors  SafeTensorsFile (header, offsets, dtype conversion)   Sources/Tensor
#   tokenizer    CLIPTokenizer.encode, VocabularyJSON, TopLevelJSONValue Sources/Models/Tokenizer
#   pipeline     PipelineSpec's YAML reader                              Sources/Pipeline/Spec (+ Yams)
# The sources are compiled straight into one executable per target with -sanitize=fuzzer
# (plus address), not through SwiftPM. Not part of the test command. Leak detection is off
# (-detect_leaks=0 and ASAN_OPTIONS):
# Foundation itself leaks a 4 KB read buffer on an empty file (String(contentsOf:)), reported
# on the first empty input.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, all targets)
#
# Work lands in .build-fuzz/ (binaries, corpora, crash files). A crash leaves
# .build-fuzz/<target>/crash-*; turn it into a regression case in the bad-input corpus or a unit
# test, fix the code, and run again. Prints executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
shift || true
TARGETS=${*:-safetensors tokenizer pipeline}
OUT=.build-fuzz
mkdir -p "$OUT"
SWIFTC=(swiftc -sanitize=fuzzer,address -parse-as-library -Onone -g)

build() {
    local name=$1
    case $name in
    safetensors)
        "${SWIFTC[@]}" -module-name FuzzSafeTensors -o "$OUT/fuzz-safetensors" tools/fuzz/SafeTensorsFuzz.swift \
            Sources/Tensor/SafeTensorsFile.swift Sources/Tensor/SafeTensorsDType.swift \
            Sources/Tensor/SafeTensorsError.swift Sources/Tensor/FileMapping.swift \
            Sources/Tensor/Tensor.swift Sources/Tensor/TensorStorage.swift ;;
    tokenizer)
        "${SWIFTC[@]}" -module-name FuzzTokenizer -o "$OUT/fuzz-tokenizer" tools/fuzz/TokenizerFuzz.swift \
            Sources/Models/Tokenizer/*.swift ;;
    pipeline)
        tools/fuzz/build_pipeline_fuzzer.sh "$OUT" ;;
    esac
}

seeds() {
    local name=$1 dir=$OUT/$name/seeds
    mkdir -p "$dir"
    case $name in
    safetensors)
        for f in Tests/Fixtures/bad-input/safetensors/*/model.safetensors; do
            [ -L "$f" ] || cp "$f" "$dir/$(basename "$(dirname "$f")")"
        done
        head -c 4096 Tests/Fixtures/tensor_ops/dtypes.safetensors > "$dir/dtypes-head"
        cp Tests/Fixtures/tensor_ops/dtypes.safetensors "$dir/dtypes" ;;
    tokenizer)
        python3 - "$dir" <<'PY'
import json, sys, pathlib
d = pathlib.Path(sys.argv[1])
texts = json.load(open("Tests/Fixtures/tokenizer/corpus.json"))
texts = texts["cases"]
for i, t in enumerate(texts[:200]):
    t = t["text"] if isinstance(t, dict) else t
    (d / f"text{i}").write_bytes(b"\x00" + t.encode())
(d / "vocab").write_bytes(b"\x01" + json.dumps({"a": 1, "b\\u00e9": 2, "<|endoftext|>": 3}).encode())
(d / "added").write_bytes(b"\x02" + b'{"version": "1.0", "added_tokens": [{"id": 1, "content": "x"}], "model": {}}')
PY
        ;;
    pipeline)
        for f in pipelines/*.yaml Tests/Fixtures/bad-input/pipelines/*.yaml; do cp "$f" "$dir/"; done ;;
    esac
}

for name in $TARGETS; do
    echo "== $name: build"
    build "$name"
    seeds "$name"
    mkdir -p "$OUT/$name/corpus"
    echo "== $name: fuzz for $SECONDS_EACH s"
    set +e
    (cd "$OUT/$name" && ASAN_OPTIONS=detect_leaks=0 CLIPSTREAM_TOKENIZER_DIR="$PWD/../../samples/tokenizer" \
        "../fuzz-$name" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=4096 \
        -print_final_stats=1 -detect_leaks=0 corpus seeds) > "$OUT/$name.log" 2>&1
    status=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$name.log" | grep -o '[0-9]*$' || echo "?")
    echo "== $name: exit $status, $runs executions in $SECONDS_EACH s (log $OUT/$name.log)"
    ls "$OUT/$name"/crash-* "$OUT/$name"/leak-* "$OUT/$name"/oom-* "$OUT/$name"/timeout-* 2>/dev/null || true
done
