// The safetensors reader on a file written by the reference's `safetensors` package, and on
// hand-made bad files: each must fail with an error naming the file and the problem.
import Foundation
import Testing
import Tensor
import TestSupport

/// Writes a safetensors file from a header dictionary and raw data, lies included.
func writeSafeTensors(header: [String: Any], data: [UInt8] = [], lengthField: UInt64? = nil,
                      rawHeader: [UInt8]? = nil, name: String = #function) throws -> URL {
    let json = try rawHeader ?? [UInt8](JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    var bytes = withUnsafeBytes(of: (lengthField ?? UInt64(json.count)).littleEndian) { [UInt8]($0) }
    bytes += json + data
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clipstream-safetensors-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + ".safetensors")
    try Data(bytes).write(to: url)
    return url
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { [UInt8]($0) } }
}

/// The thrown error's sentence (empty when nothing was thrown).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

@Suite struct SafeTensorsTests {
    @Test func readsEveryFloatDtypeAsTorchUpcastsIt() throws {
        let file = try SafeTensorsFile(contentsOf: Fixtures.url("tensor_ops/dtypes.safetensors"))
        let expected = try OpFixture.load("dtypes")
        for name in ["f32", "f16", "bf16", "f64", "tiny_f16"] {
            let t = try file.tensor(name)
            #expect(t.shape == expected.tensor(name).shape, "\(name) shape")
            #expect(t.storage == expected.tensor(name).storage, "\(name) values are exact")
        }
        #expect(file.metadata["format"] == "pt")
        #expect(file.entries["ids"]?.dtype == .i64)
    }

    @Test func refusesToReadIntegersAsFloats() throws {
        let url = Fixtures.url("tensor_ops/dtypes.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        let text = errorText { _ = try file.tensor("ids") }
        #expect(text.hasPrefix(url.path) && text.contains("I64"), "\(text)")
        #expect(errorText { _ = try file.tensor("nope") }.contains("no tensor named \"nope\""))
    }

    @Test func truncatedFileNamesTheTensorThatRunsPastTheEnd() throws {
        let original = try Data(contentsOf: Fixtures.url("tensor_ops/dtypes.safetensors"))
        let url = try writeSafeTensors(header: [:])
        try original.prefix(original.count - 10).write(to: url)
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.hasPrefix(url.path) && text.contains("truncated"), "\(text)")
    }

    @Test func fileShorterThanTheLengthField() throws {
        let url = try writeSafeTensors(header: [:])
        try Data([1, 2, 3]).write(to: url)
        #expect(errorText { _ = try SafeTensorsFile(contentsOf: url) }.contains("too short"))
    }

    @Test func headerLengthBeyondTheFile() throws {
        let url = try writeSafeTensors(header: [:], lengthField: 1 << 40)
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.hasPrefix(url.path) && text.contains("header claims"), "\(text)")
    }

    @Test func byteCountDisagreesWithShape() throws {
        let url = try writeSafeTensors(
            header: ["w": ["dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]]], data: floatBytes([1, 2, 3, 4]))
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.contains("needs 24 bytes") && text.contains("span 16"), "\(text)")
    }

    @Test func offsetsOutsideTheDataRegion() throws {
        let url = try writeSafeTensors(
            header: ["w": ["dtype": "F32", "shape": [4], "data_offsets": [8, 24]]], data: floatBytes([1, 2, 3, 4]))
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.contains("\"w\"") && text.contains("only 16 bytes"), "\(text)")
    }

    @Test func overlappingTensors() throws {
        let url = try writeSafeTensors(header: [
            "a": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]],
            "b": ["dtype": "F32", "shape": [2], "data_offsets": [4, 12]],
        ], data: floatBytes([1, 2, 3, 4]))
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.contains("overlap") && text.contains("\"a\"") && text.contains("\"b\""), "\(text)")
    }

    @Test func unknownDtype() throws {
        let url = try writeSafeTensors(
            header: ["w": ["dtype": "F12", "shape": [1], "data_offsets": [0, 4]]], data: floatBytes([1]))
        #expect(errorText { _ = try SafeTensorsFile(contentsOf: url) }.contains("unknown dtype \"F12\""))
    }

    @Test(arguments: [([UInt8]("{\"w\": [".utf8), "not valid JSON"), ([0xFF, 0xFE, 0x7B, 0x7D], "UTF-8"),
                      ([UInt8]("[1, 2]".utf8), "not an object")])
    func malformedHeader(raw: [UInt8], phrase: String) throws {
        let url = try writeSafeTensors(header: [:], rawHeader: raw, name: "malformed\(phrase.count)")
        let text = errorText { _ = try SafeTensorsFile(contentsOf: url) }
        #expect(text.hasPrefix(url.path) && text.contains(phrase), "\(text)")
    }

    @Test func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        #expect(errorText { _ = try SafeTensorsFile(contentsOf: url) } == "/nonexistent/model.safetensors: cannot be opened (No such file or directory).")
    }

    @Test func emptyHeaderAndMetadataAreFine() throws {
        let url = try writeSafeTensors(header: ["__metadata__": ["format": "pt"]])
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.names.isEmpty && file.metadata == ["format": "pt"])
    }
}

@Suite struct WeightBinderTests {
    @Test func bindsLayersByKeyAndShape() throws {
        let url = try writeSafeTensors(header: [
            "fc.weight": ["dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]],
            "fc.bias": ["dtype": "F32", "shape": [2], "data_offsets": [24, 32]],
            "fc.position_ids": ["dtype": "F32", "shape": [0], "data_offsets": [32, 32]],
        ], data: floatBytes([1, 2, 3, 4, 5, 6, 0.5, -0.5]))
        let binder = try WeightBinder(contentsOf: url)
        binder.allowUnused { $0.hasSuffix(".position_ids") }
        let fc = binder.scope("").linear("fc", in: 3, out: 2)
        try binder.finish()
        #expect(fc(Tensor(shape: [1, 3], storage: [1, 0, -1])).storage == [-1.5, -2.5])
    }

    @Test func listsEveryMissingUnexpectedAndMisShapedKeyInOneError() throws {
        let url = try writeSafeTensors(header: [
            "enc.fc.weight": ["dtype": "F32", "shape": [3, 2], "data_offsets": [0, 24]],
            "enc.extra": ["dtype": "F32", "shape": [1], "data_offsets": [24, 28]],
            "enc.ids": ["dtype": "I32", "shape": [1], "data_offsets": [28, 32]],
        ], data: floatBytes([1, 2, 3, 4, 5, 6, 7, 8]))
        let binder = try WeightBinder(contentsOf: url)
        let enc = binder.scope("enc")
        _ = enc.linear("fc", in: 3, out: 2)  // weight mis-shaped, bias missing
        _ = enc.layerNorm("norm", size: 4, eps: 1e-5)  // both missing
        _ = enc.tensor("ids", shape: [1])  // present but not a float
        let text = errorText { try binder.finish() }
        #expect(text.hasPrefix(url.path + ": the weights do not match config.json"), "\(text)")
        for key in ["enc.fc.bias", "enc.norm.weight", "enc.norm.bias", "enc.extra", "enc.ids (I32)",
                    "enc.fc.weight is [3, 2] but the config needs [2, 3]"] {
            #expect(text.contains(key), "\(key) in: \(text)")
        }
        #expect(text.contains("missing 3 tensor(s)"), "\(text)")
    }
}
