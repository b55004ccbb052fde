// Decodes a video to packed RGB24 with Media.VideoDecoder and prints frames and wall time.
// Built and compared against the ffmpeg CLI by tools/bench_decode.sh (not part of the tests).
import Foundation
import Media

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: decode_bench VIDEO [every-nth]\n".utf8))
    exit(2)
}
var options = VideoDecoderOptions()
if arguments.count >= 3, let n = Int(arguments[2]) { options.sampling = .everyNth(n) }
let start = Date()
do {
    let decoder = try VideoDecoder(path: arguments[1], options: options)
    var frames = 0
    var checksum = 0
    while let frame = try decoder.nextFrame() {
        frames += 1
        checksum &+= Int(frame.baseAddress[frame.byteCount / 2])  // touch the pixels
    }
    let seconds = Date().timeIntervalSince(start)
    print("\(frames) frames in \(String(format: "%.3f", seconds)) s (\(String(format: "%.1f", Double(frames) / seconds)) fps) checksum \(checksum)")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
