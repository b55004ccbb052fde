#!/usr/bin/env bash
# Makes the small committed video samples for MediaTests (Tests/Fixtures/video/) with the ffmpeg
# CLI, and expected.json with what ffprobe says about each (frame count, pts of every frame,
# size, duration). Frames come from lavfi's deterministic testsrc2 generator, so re-running
# gives the same pictures; encoders may differ in bytes across FFmpeg versions, which is why
# the expected values are always re-derived from the files actually committed.
# Usage: tools/make_samples.sh   (needs ffmpeg/ffprobe with libx264 and libvpx)
set -euo pipefail
cd "$(dirname "$0")/.."
out=Tests/Fixtures/video
mkdir -p "$out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
src() { echo "testsrc2=size=320x240:rate=$1:duration=$2"; }

# H.264 with B-frames (3 s, 25 fps) in MP4, moov first.
ff -f lavfi -i "$(src 25 3)" -c:v libx264 -preset veryfast -bf 3 -g 30 -crf 30 -pix_fmt yuv420p \
   -movflags +faststart "$out/h264_bframes.mp4"
# VP9 in WebM (2 s, 25 fps).
ff -f lavfi -i "$(src 25 2)" -c:v libvpx-vp9 -b:v 200k -deadline realtime -cpu-used 8 "$out/vp9.webm"
# MJPEG in AVI (2 s, 15 fps).
ff -f lavfi -i "$(src 15 2)" -c:v mjpeg -q:v 12 "$out/mjpeg.avi"
# Variable frame rate: 25 fps with frames 3..5 of every 10 dropped, timestamps kept (Matroska, ms).
ff -f lavfi -i "$(src 25 3)" -vf "select='not(between(mod(n\,10)\,3\,5))'" -fps_mode vfr \
   -c:v libx264 -preset veryfast -bf 0 -crf 32 -pix_fmt yuv420p "$out/vfr.mkv"
# Lossless: FFV1 on RGB (bgr0) of 12 frames at 6 fps.
ff -f lavfi -i "$(src 6 2)" -c:v ffv1 -pix_fmt bgr0 "$out/lossless_ffv1.mkv"
# Containers for the stdin (pipe) path: NUT, MPEG-TS, raw MJPEG, Y4M (small).
ff -i "$out/h264_bframes.mp4" -t 1 -c copy -f nut "$out/pipe.nut"
ff -i "$out/h264_bframes.mp4" -t 1 -c copy -bsf:v h264_mp4toannexb -f mpegts "$out/pipe.ts"
ff -f lavfi -i "testsrc2=size=160x120:rate=10:duration=1" -c:v mjpeg -q:v 10 -f mjpeg "$out/pipe.mjpeg"
ff -f lavfi -i "testsrc2=size=96x64:rate=10:duration=1" -pix_fmt yuv420p -f yuv4mpegpipe "$out/pipe.y4m"
# Raw RGB24 frames for RawFrameReader (4 frames of 32x24) and an audio-only file.
ff -f lavfi -i "testsrc2=size=32x24:rate=5:duration=0.8" -pix_fmt rgb24 -f rawvideo "$out/raw_32x24.rgb"
ff -f lavfi -i "sine=frequency=440:duration=0.5:sample_rate=8000" -c:a pcm_u8 "$out/audio_only.wav"

# Expected values, all from ffprobe (and framecrc: adler32 of each frame as packed rgb24).
entries() {  # file -> JSON object
    local f="$1"
    local pts size duration
    pts=$(ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time \
          -of json "$f" | jq -c '[.frames[].best_effort_timestamp_time | tonumber]')
    size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of json "$f" \
           | jq -c '.streams[0] | {width, height}')
    duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")
    jq -n -c --argjson pts "$pts" --argjson size "$size" --arg d "$duration" \
        '{frames: ($pts | length), pts: $pts, width: $size.width, height: $size.height,
          duration: (if $d == "N/A" then null else ($d | tonumber) end)}'
}
crcs() {  # file -> JSON array of adler32 (as numbers) of every frame in rgb24
    ffmpeg -hide_banner -loglevel error "${@}" -pix_fmt rgb24 -f framecrc - \
        | grep -v '^#' | awk -F', *' '{print $6}' | jq -R -s -c 'split("\n") | map(select(length > 0) | ltrimstr("0x")) '
}
{
    echo "{"
    echo "\"generator\": \"tools/make_samples.sh\", \"ffmpeg\": \"$(ffmpeg -version | head -1 | cut -d' ' -f3)\","
    for f in h264_bframes.mp4 vp9.webm mjpeg.avi vfr.mkv lossless_ffv1.mkv pipe.nut pipe.ts pipe.mjpeg pipe.y4m; do
        echo "\"$f\": $(entries "$out/$f"),"
    done
    echo "\"lossless_source_adler32\": $(crcs -f lavfi -i "$(src 6 2)"),"
    echo "\"lossless_decoded_adler32\": $(crcs -i "$out/lossless_ffv1.mkv")"
    echo "}"
} | jq . > "$out/expected.json"
du -ch "$out"/* | tail -1
