#!/bin/sh
# Times ImagePreprocessor on a 1280x720 frame (the hubble fixture doubled) for the CLIP, OWL-ViT
# and CLIPSeg default configs, both backends, in an optimised build of just the preprocessing
# sources (no package release build needed). Usage: tools/bench_preprocess.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$root"/Sources/Models/Preprocessing/*.swift "$root"/Sources/Tensor/Tensor.swift; do
    sed 's/^import Tensor$//' "$f" > "$work/$(basename "$f")"
done
cat > "$work/main.swift" <<SWIFT
import Foundation
let dir = "$root/Tests/Fixtures/preprocess/"
let stored = [UInt8](try! Data(contentsOf: URL(fileURLWithPath: dir + "images/hubble_640x360.rgb")))
var frame = [UInt8](repeating: 0, count: 1280 * 720 * 3)
for y in 0..<720 { for x in 0..<1280 { for c in 0..<3 { frame[(y * 1280 + x) * 3 + c] = stored[((y / 2) * 640 + x / 2) * 3 + c] } } }
for (name, family) in [("clip_default", ImageProcessorFamily.clip), ("owlvit_default", .owlViT), ("clipseg_default", .vit)] {
    for backend in [PreprocessingBackend.torchvision, .pil] {
        let p = try! ImagePreprocessor(directory: URL(fileURLWithPath: dir + "configs/" + name), family: family, backend: backend)
        let size = p.outputSize(width: 1280, height: 720)
        var t = Tensor(zeros: [1, 3, size.height, size.width])
        try! frame.withUnsafeBufferPointer { b in
            let v = try RGBImageView(width: 1280, height: 720, pixels: b)
            try p.preprocess(v, into: &t, at: 0)
            let n = 50
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<n { try p.preprocess(v, into: &t, at: 0) }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(n)
            print(name, backend, "1280x720 ->", "\(size.width)x\(size.height)", String(format: "%.2f ms/frame", ms))
        }
    }
}
SWIFT
swiftc -O -module-name PreprocessBench "$work"/*.swift -o "$work/bench"
"$work/bench"
