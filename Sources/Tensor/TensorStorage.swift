// Reusing a Tensor's storage for a new shape, and small row helpers shared by the ops.
//
// The per-frame path keeps its output tensors between calls: `prepare(shape:)` changes the shape
// and only reallocates when the element count changes, so a steady stream of same-sized
// frames allocates nothing after the first.

extension Tensor {
    /// Makes this tensor `shape`-shaped for use as an op's output. The values are unspecified
    /// afterwards (every op that calls this overwrites all of them).
    public mutating func prepare(shape newShape: [Int]) {
        let needed = newShape.reduce(1, *)
        if needed != storage.count {
            storage = [Float](repeating: 0, count: needed)
        }
        self.reshape(newShape)
    }

    /// Rows `range` of the tensor viewed as [rowCount, lastDimension], as a new [n, lastDimension]
    /// tensor (a copy; for picking the class token or the EOS position).
    public func rows(_ range: Range<Int>) -> Tensor {
        let d = lastDimension
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount, "rows \(range) of \(rowCount)")
        return Tensor(shape: [range.count, d], storage: Array(storage[(range.lowerBound * d)..<(range.upperBound * d)]))
    }

    /// The rows at `indices` (in that order), as a new [indices.count, lastDimension] tensor:
    /// token-embedding lookup, EOS pooling, class-token pooling.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let d = lastDimension
        var out = [Float](repeating: 0, count: indices.count * d)
        storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rowCount, "row \(i) of \(rowCount)")
                    for j in 0..<d { dst[r * d + j] = src[i * d + j] }
                }
            }
        }
        return Tensor(shape: [indices.count, d], storage: out)
    }
}
