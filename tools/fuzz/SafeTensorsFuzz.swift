// libFuzzer target: any bytes as a model.safetensors file. SafeTensorsFile must either throw
// SafeTensorsError or give entries every one of which reads as Floats; a trap is a bug.
// Built by tools/fuzz.sh together with Sources/Tensor's reader files.
import Foundation

private let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("clipstream-fuzz-\(getpid()).safetensors")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The reader maps a file, so the input goes through one (tmpfs-backed when /tmp is).
    FileManager.default.createFile(atPath: path.path, contents: Data(bytes: data, count: size))
    guard let file = try? SafeTensorsFile(contentsOf: path) else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
    }
    return 0
}
