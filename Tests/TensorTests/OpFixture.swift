// Reads Tests/Fixtures/tensor_ops/<op>.json (written by tools/fixtures/tensor_ops.py from torch).
import Foundation
import Tensor
import TestSupport

struct OpFixture: Decodable {
    struct Stored: Decodable { let shape: [Int]; let data: [Float] }
    let params: [String: Double]
    let tensors: [String: Stored]

    static func load(_ op: String) throws -> OpFixture {
        try Fixtures.json("tensor_ops/\(op).json")
    }

    func tensor(_ name: String) -> Tensor {
        guard let s = tensors[name] else { fatalError("fixture has no tensor \(name)") }
        return Tensor(shape: s.shape, storage: s.data)
    }
}
