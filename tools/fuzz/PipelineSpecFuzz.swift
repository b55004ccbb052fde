// libFuzzer target: any bytes as a pipeline file. PipelineSpec must either decode or throw
// PipelineSpecError (file, line, key); a trap is a bug. Also feeds the bytes as a --set value.
// Built by tools/fuzz/build_pipeline_fuzzer.sh.
import Foundation

private let path = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-fuzz-\(getpid()).yaml")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipelineSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FileManager.default.createFile(atPath: path.path, contents: Data(bytes: data, count: size))
    _ = try? PipelineSpec(contentsOf: path, overrides: [])
    if size < 200, let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8),
       let override = try? SpecOverride(text) {
        _ = try? PipelineSpec(contentsOf: URL(fileURLWithPath: "pipelines/detect-events.yaml"), overrides: [override])
    }
    return 0
}
