#!/usr/bin/env bash
# Builds the pipeline-file fuzzer (called by tools/fuzz.sh): Yams (from SwiftPM's checkout,
# .build/checkouts/Yams; run `swift build` once first) as a static module with coverage, then
# Sources/Pipeline/Spec with the few Pipeline and Media types it names, compiled into one module
# (the `import Media` lines dropped; FrameSize and FrameSampling compiled from their files).
set -euo pipefail
OUT=$1
YAMS=.build/checkouts/Yams/Sources
WORK=$OUT/pipeline-build
rm -rf "$WORK"; mkdir -p "$WORK/src"
for c in "$YAMS"/CYaml/src/*.c; do
    clang -O1 -g -fsanitize=fuzzer-no-link,address -I "$YAMS/CYaml/include" -c "$c" -o "$WORK/$(basename "$c" .c).o"
done
swiftc -parse-as-library -Onone -g -sanitize=fuzzer,address -module-name Yams -DSWIFT_PACKAGE \
    -emit-module -emit-module-path "$WORK/Yams.swiftmodule" -emit-library -static -o "$WORK/libYams.a" \
    -I "$YAMS/CYaml/include" "$YAMS"/Yams/*.swift
for f in Sources/Pipeline/Spec/*.swift Sources/Pipeline/Engine/QueuePolicy.swift Sources/Media/FrameSampling.swift; do
    sed '/^import Media$/d' "$f" > "$WORK/src/$(basename "$f")"
done
# FrameSize alone (its file also declares the FrameSource protocol, which needs all of Media).
sed -n '/^public struct FrameSize/,/^}/p' Sources/Media/FrameSource.swift > "$WORK/src/FrameSize.swift"
# FrameSampling throws the one MediaError case that needs no FFmpeg.
echo 'enum MediaError: Error { case invalidRawParameters(String) }' > "$WORK/src/MediaErrorStub.swift"
swiftc -sanitize=fuzzer,address -parse-as-library -Onone -g -module-name FuzzPipeline \
    -I "$WORK" -I "$YAMS/CYaml/include" -o "$OUT/fuzz-pipeline" \
    tools/fuzz/PipelineSpecFuzz.swift "$WORK"/src/*.swift "$WORK/libYams.a" "$WORK"/*.o
