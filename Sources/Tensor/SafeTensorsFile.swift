// A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the
// data region the offsets point into.
//
//   let file = try SafeTensorsFile(contentsOf: url)   // maps the file and validates the header
//   file.names, file.entries[name] (dtype, shape, byte range), file.metadata
//   try file.tensor("text_model.final_layer_norm.weight")   // -> Tensor (F32/F16/BF16/F64 -> Float)
//
// Everything the header claims is checked before any tensor is read: the length fits in the
// file, the JSON parses, every dtype is known, each byte count equals dtype size x shape, every
// range lies inside the data region, and no two ranges overlap. The mapping lives as long as
// this object, so the checks hold for every later read.
import Foundation

public final class SafeTensorsFile: @unchecked Sendable {  // immutable after init
    public struct Entry: Sendable, Equatable {
        public let dtype: SafeTensorsDType
        public let shape: [Int]
        /// Offsets within the data region (after the header).
        public let byteRange: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
    }

    public let url: URL
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let mapping: FileMapping
    private let dataStart: Int

    public var names: [String] { entries.keys.sorted() }

    public init(contentsOf url: URL) throws {
        self.url = url
        let fail = { (problem: String) in SafeTensorsError(file: url, problem) }
        mapping = try FileMapping(url)
        let size = mapping.size
        guard size >= 8 else {
            throw fail("is too short to be a safetensors file (\(size) bytes; the header length alone takes 8).")
        }
        let headerLength = UInt64(littleEndian: mapping.base.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(size - 8) else {
            throw fail("the header claims \(headerLength) bytes but only \(size - 8) follow the length field; the file is truncated or not safetensors.")
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = Data(bytes: mapping.base + 8, count: Int(headerLength))
        let header = try Self.parseHeader(headerBytes, fail: fail)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = size - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else { throw fail("the header's __metadata__ is not an object.") }
                for (k, v) in dict {
                    guard let s = v as? String else { throw fail("the header's __metadata__ value for \"\(k)\" is not a string.") }
                    metadata[k] = s
                }
                continue
            }
            entries[name] = try Self.parseEntry(name, value, dataSize: dataSize, fail: fail)
        }
        try Self.checkNoOverlap(entries, fail: fail)
        self.entries = entries
        self.metadata = metadata
    }

    /// The tensor stored under `name`, converted to Float.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw SafeTensorsError(file: url, "has no tensor named \"\(name)\".")
        }
        guard entry.dtype.isConvertibleToFloat else {
            throw SafeTensorsError(file: url, "tensor \"\(name)\" has dtype \(entry.dtype.rawValue), which cannot be read as floats (F32, F16, BF16 or F64 expected).")
        }
        let n = entry.elementCount
        let source = UnsafeRawPointer(mapping.base + dataStart + entry.byteRange.lowerBound)
        // Converted straight into uninitialised storage: no zero-fill pass over 600 MB of weights.
        let storage = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { entry.dtype.convert(source, count: n, into: buffer.baseAddress!) }
            initialized = n
        }
        return Tensor(shape: entry.shape, storage: storage)
    }

    private static func parseHeader(_ bytes: Data, fail: (String) -> SafeTensorsError) throws -> [String: Any] {
        guard String(data: bytes, encoding: .utf8) != nil else {
            throw fail("the header is not valid UTF-8 JSON.")
        }
        let object: Any
        do {
            // Fragments allowed so a bare string or number is reported as "not an object".
            object = try JSONSerialization.jsonObject(with: bytes, options: .fragmentsAllowed)
        } catch {
            throw fail("the header is not valid JSON.")
        }
        guard let header = object as? [String: Any] else {
            throw fail("the header is JSON but not an object of tensors.")
        }
        return header
    }

    private static func parseEntry(_ name: String, _ value: Any, dataSize: Int,
                                   fail: (String) -> SafeTensorsError) throws -> Entry {
        guard let dict = value as? [String: Any] else { throw fail("the header entry for \"\(name)\" is not an object.") }
        guard let dtypeName = dict["dtype"] as? String else { throw fail("tensor \"\(name)\" has no dtype in the header.") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw fail("tensor \"\(name)\" has unknown dtype \"\(dtypeName)\".")
        }
        guard let shapeValues = dict["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor \"\(name)\" has a shape that is not a list of non-negative integers.")
        }
        guard let offsetValues = dict["data_offsets"] as? [Any], let offsets = integers(offsetValues),
              offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw fail("tensor \"\(name)\" has data_offsets that are not two increasing non-negative integers.")
        }
        guard offsets[1] <= dataSize else {
            throw fail("tensor \"\(name)\" lies at bytes \(offsets[0])..<\(offsets[1]) but the data region has only \(dataSize) bytes; the file is truncated or its header lies.")
        }
        var bytes = dtype.byteSize
        for d in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("tensor \"\(name)\" has shape \(shape), too large to exist.") }
            bytes = product
        }
        guard bytes == offsets[1] - offsets[0] else {
            throw fail("tensor \"\(name)\" is \(dtype.rawValue) \(shape), which needs \(bytes) bytes, but its data_offsets span \(offsets[1] - offsets[0]).")
        }
        return Entry(dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }

    private static func checkNoOverlap(_ entries: [String: Entry], fail: (String) -> SafeTensorsError) throws {
        let sorted = entries.filter { !$0.value.byteRange.isEmpty }
            .sorted { ($0.value.byteRange.lowerBound, $0.key) < ($1.value.byteRange.lowerBound, $1.key) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.value.byteRange.lowerBound < a.value.byteRange.upperBound {
            throw fail("tensors \"\(a.key)\" and \"\(b.key)\" overlap in the data region; the header lies.")
        }
    }

    /// JSON numbers as Ints, rejecting fractions and values beyond Int.
    private static func integers(_ values: [Any]) -> [Int]? {
        var out: [Int] = []
        for v in values {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d == d.rounded(), abs(d) < 9.0e15 else { return nil }
            out.append(n.intValue)
        }
        return out
    }
}
