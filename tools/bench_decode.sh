#!/usr/bin/env bash
# Decode speed: Media.VideoDecoder to RGB24 vs `ffmpeg ... -f rawvideo -pix_fmt rgb24 /dev/null`,
# measured in the same hyperfine run. Makes a 10 s 1080p H.264 file in /tmp when none is given.
# Usage: tools/bench_decode.sh [VIDEO]
set -euo pipefail
cd "$(dirname "$0")/.."
video="${1:-/tmp/clipstream-bench-1080p.mp4}"
if [ ! -f "$video" ]; then
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=10 \
        -vf "noise=alls=6:allf=t" -c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p "$video"
fi
swift build -c release --target Media >/dev/null
bin=$(swift build -c release --show-bin-path)
# The Media objects plus the FFmpeg libraries, linked into a tiny benchmark program.
swiftc -O -module-cache-path /tmp/clipstream-bench-cache -I "$bin/Modules" -I "$bin" -I Sources/CFFmpeg \
    $(pkg-config --cflags libavformat | sed 's/-I/-Xcc -I/g') \
    tools/bench/decode_bench.swift "$bin"/Media.build/*.o \
    $(pkg-config --libs libavformat libavcodec libswscale libavutil) -o /tmp/clipstream-decode-bench
/tmp/clipstream-decode-bench "$video"
hyperfine --warmup 1 --runs "${RUNS:-5}" \
    -n VideoDecoder "/tmp/clipstream-decode-bench $video" \
    -n ffmpeg "ffmpeg -hide_banner -loglevel error -i $video -f rawvideo -pix_fmt rgb24 -y /dev/null"
