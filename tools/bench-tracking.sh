#!/bin/sh
# Per-frame cost of tracking, zones and lines (50 boxes, 2 zones, 2 lines), optimised as a
# release build would be (-O, whole module), compiled from the tracking sources and the
# benchmark's workload alone: seconds to build, where a release build of the package takes many
# minutes. Usage: tools/bench-tracking.sh (from the repository root).
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%s\n' 'print(TrackingWorkload.report(TrackingWorkload.measure(), build: "swiftc -O -wmo"))' > "$out/main.swift"
swiftc -O -wmo -D TRACKING_BENCH_STANDALONE -module-name TrackingBench \
    Sources/Pipeline/Tracking/*.swift Tests/PipelineTests/Tracking/TrackingWorkload.swift "$out/main.swift" \
    -lm -o "$out/bench-tracking"
"$out/bench-tracking"
