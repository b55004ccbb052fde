import Foundation  // String(format:) in description

// A dense float32 tensor: a shape and contiguous row-major storage.
//
// Value semantics come from Swift's copy-on-write Array, so passing a Tensor around copies
// nothing; ops that must not allocate on the per-frame path write into a caller's Tensor with
// `withUnsafeMutableBufferPointer` instead of returning a new one.

public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == storage.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// The size of the last dimension (the feature axis for every op here).
    public var lastDimension: Int { shape.last ?? 1 }

    /// The number of rows when the tensor is viewed as [rows, lastDimension].
    public var rowCount: Int { lastDimension == 0 ? 0 : count / lastDimension }

    /// The same values under another shape with the same element count (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Changes the shape in place; the element count must not change.
    public mutating func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == storage.count, "cannot reshape \(shape) to \(newShape)")
        shape = newShape
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = storage.prefix(6).map { String(format: "%.5g", Double($0)) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(head)\(count > 6 ? ", …" : "")])"
    }
}
