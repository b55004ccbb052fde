// Element-wise arithmetic on tensors, in place so the per-frame path allocates nothing.
//
//   x.add(y)                 x += y            (same element count; residual connections)
//   x.addBroadcast(y)        x[..., i, :] += y (y is the trailing block of x's shape, e.g.
//                                               position embeddings [T, D] onto [B, T, D],
//                                               or a bias [D] onto [..., D])
//   x.scale(by: s)           x *= s
//   x.adding(y), x.scaled(by: s)   the same, returning a new tensor

extension Tensor {
    public mutating func add(_ other: Tensor) {
        precondition(count == other.count, "add: \(shape) and \(other.shape) differ in size")
        other.storage.withUnsafeBufferPointer { o in
            storage.withUnsafeMutableBufferPointer { s in
                for i in 0..<s.count { s[i] += o[i] }
            }
        }
    }

    public mutating func addBroadcast(_ block: Tensor) {
        let n = block.count
        precondition(n > 0 && count % n == 0, "addBroadcast: \(block.shape) does not tile \(shape)")
        block.storage.withUnsafeBufferPointer { o in
            storage.withUnsafeMutableBufferPointer { s in
                var base = 0
                while base < s.count {
                    for i in 0..<n { s[base + i] += o[i] }
                    base += n
                }
            }
        }
    }

    public mutating func scale(by factor: Float) {
        storage.withUnsafeMutableBufferPointer { s in
            for i in 0..<s.count { s[i] *= factor }
        }
    }

    public func adding(_ other: Tensor) -> Tensor {
        var out = self
        out.add(other)
        return out
    }

    public func scaled(by factor: Float) -> Tensor {
        var out = self
        out.scale(by: factor)
        return out
    }
}
