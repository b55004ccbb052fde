#!/usr/bin/env bash
# Soak: one hour of generated low-resolution video through a detect pipeline, RSS sampled
# every 10 s into a CSV, so a leak or an unbounded queue shows as a rising curve.
#
#   tools/soak.sh [OUT_DIR] [SECONDS]      (defaults: /tmp/clipstream-soak, 3600)
#   PRECISION=bf16 tools/soak.sh ...       the detect stage in bf16 (AVX512-BF16 CPUs)
#
# Uses the built debug binary (copied, so rebuilding meanwhile is safe) under `nice -n 19`;
# the model is samples/models/owlvit-shapes when present, else the tiny OWL-ViT test fixture.
# Prints the CSV path and a summary: RSS after the first minute, at the end, peak, and the
# spread of the samples after the first minute relative to their median.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/clipstream-soak}
DURATION=${2:-3600}
mkdir -p "$OUT"
BIN="$OUT/clipstream"
cp .build/debug/clipstream "$BIN"

VIDEO="$OUT/soak-${DURATION}s.mp4"
if [ ! -s "$VIDEO" ]; then
    nice -n 19 ffmpeg -hide_banner -loglevel error -y -f lavfi \
        -i "testsrc2=size=160x120:rate=10:duration=$DURATION" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 50 "$VIDEO"
fi

MODEL=samples/models/owlvit-shapes
[ -f "$MODEL/config.json" ] || MODEL=Tests/Fixtures/owlvit/tiny-p16-quickgelu-f32
PIPELINE="$OUT/soak-detect.yaml"
cat > "$PIPELINE" <<YAML
# Written by tools/soak.sh: detection on every frame, events to a file.
stages:
  - name: objects
    task: detect
    model: $PWD/$MODEL
    queries: [a red circle, a blue square, a yellow star]
    threshold: 0.1
    precision: ${PRECISION:-fp32}
events:
  min_frames: 2
  gap_frames: 3
annotate:
  boxes: true
YAML

CSV="$OUT/rss.csv"
echo "seconds,rss_kb" > "$CSV"
nice -n 19 "$BIN" run "$PIPELINE" --input "$VIDEO" --events "$OUT/events.ndjson" --output "$OUT/annotated.mp4" \
    --quiet 2> "$OUT/stderr.txt" &
PID=$!
echo "$PID" > "$OUT/pid"
echo "soak: pid $PID, CSV $CSV"
START=$(date +%s)
while kill -0 "$PID" 2>/dev/null; do
    RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null || true)
    [ -n "$RSS" ] && echo "$(( $(date +%s) - START )),$RSS" >> "$CSV"
    sleep 10
done
wait "$PID" && STATUS=0 || STATUS=$?
echo "soak: exit status $STATUS after $(( $(date +%s) - START )) s"
tail -1 "$OUT/events.ndjson" || true

# First minute is warm-up (models, pools, encoder buffers); judge the rest.
FIRST=$(awk -F, 'NR == 2 {print $2}' "$CSV")
LAST=$(tail -1 "$CSV" | cut -d, -f2)
SETTLED=$(awk -F, 'NR > 1 && $1 >= 60 {print $2}' "$CSV" | sort -n)
if [ -n "$SETTLED" ]; then
    COUNT=$(echo "$SETTLED" | wc -l)
    MIN=$(echo "$SETTLED" | head -1)
    MAX=$(echo "$SETTLED" | tail -1)
    MEDIAN=$(echo "$SETTLED" | sed -n "$(( (COUNT + 1) / 2 ))p")
    echo "soak: rss first ${FIRST} kB, last ${LAST} kB; after 60 s: min ${MIN}, median ${MEDIAN}, max ${MAX} kB" \
         "(spread $(( 1000 * (MAX - MIN) / MEDIAN / 10 )).$(( 1000 * (MAX - MIN) / MEDIAN % 10 ))% of the median, ${COUNT} samples)"
fi
exit "$STATUS"
