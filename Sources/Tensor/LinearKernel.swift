// How a linear layer computes y = act((accumulate ? y : 0) + x W^T + b): its weight prepared
// once, at load, for one backend and precision (the float32 copy is released where the
// backend keeps its own).
//
//   let kernel = makeLinearKernel(weight: w, bias: b, precision: .bfloat16, backend: .onednn)
//   kernel.run(x, rows: m, lda: k, into: y, ldc: n, accumulate: false, activation: .gelu)
//
//   BLASLinearKernel       OpenBLAS sgemm, then one pass for bias and activation
//   BFloat16LinearKernel   ClipStream's AVX512-BF16 kernel (bias and quick-GELU fused)
//   DNNLLinearKernel       a oneDNN matmul primitive (bias, activation and residual fused)

public protocol LinearKernel: Sendable {
    var precision: Precision { get }
    var backend: ComputeBackend { get }
    /// The weight [out, in] as float32: exactly the values the product multiplies by.
    func unpackedWeight() -> Tensor
    func run(_ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldc: Int,
             accumulate: Bool, activation: Activation?)
}

/// The kernel for `precision` on `backend`; weight [out, in] float32, bias [out] or nil.
public func makeLinearKernel(weight: Tensor, bias: Tensor?, precision: Precision,
                             backend: ComputeBackend) -> LinearKernel {
    // oneDNN has no matmul with an empty dimension; OpenBLAS's path writes bias or zeros.
    let empty = weight.count == 0
    switch (backend, precision) {
    case (.onednn, _) where !empty: return DNNLLinearKernel(weight: weight, bias: bias, precision: precision)
    case (_, .float32): return BLASLinearKernel(weight: weight, bias: bias)
    case (_, .bfloat16): return BFloat16LinearKernel(matrix: BFloat16Matrix(weight), bias: bias)
    }
}

public struct BLASLinearKernel: LinearKernel {
    public let weight: Tensor
    public let bias: Tensor?
    public var precision: Precision { .float32 }
    public var backend: ComputeBackend { .openblas }

    public func unpackedWeight() -> Tensor { weight }

    public func run(_ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldc: Int,
                    accumulate: Bool, activation: Activation?) {
        let n = weight.shape.first ?? 0, k = weight.lastDimension
        weight.withUnsafeBufferPointer { pw in
            gemm(m: rows, n: n, k: k, a: x, lda: lda, b: pw.baseAddress ?? x, ldb: max(k, 1), transposeB: true,
                 c: y, ldc: ldc, beta: accumulate ? 1 : 0)
        }
        addBias(bias, y, rows: rows, n: n, ldc: ldc, activation: activation)
    }
}

public struct BFloat16LinearKernel: LinearKernel {
    public let matrix: BFloat16Matrix
    public let bias: Tensor?
    public var precision: Precision { .bfloat16 }
    public var backend: ComputeBackend { .openblas }

    public func unpackedWeight() -> Tensor { matrix.unpacked() }

    public func run(_ x: UnsafePointer<Float>, rows: Int, lda: Int, into y: UnsafeMutablePointer<Float>, ldc: Int,
                    accumulate: Bool, activation: Activation?) {
        // The kernel adds the bias and applies quick-GELU itself; other activations take a pass.
        let fused = activation == nil || activation == .quickGELU
        func multiply(bias: UnsafePointer<Float>?) {
            matrix.multiply(x, rows: rows, lda: lda, into: y, ldc: ldc, accumulate: accumulate,
                            bias: bias, quickGELU: fused && activation == .quickGELU)
        }
        if fused, let bias {
            bias.withUnsafeBufferPointer { multiply(bias: $0.baseAddress) }
        } else {
            multiply(bias: nil)
            if !fused { addBias(bias, y, rows: rows, n: matrix.outFeatures, ldc: ldc, activation: activation) }
        }
    }
}

/// y[r, :] = act(y[r, :] + bias), skipped when there is neither.
private func addBias(_ bias: Tensor?, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int, ldc: Int,
                     activation: Activation?) {
    if bias == nil && activation == nil { return }
    if let bias {
        bias.withUnsafeBufferPointer { biasActivation(y, rows: rows, n: n, ldc: ldc, bias: $0.baseAddress, activation: activation) }
    } else {
        biasActivation(y, rows: rows, n: n, ldc: ldc, bias: nil, activation: activation)
    }
}
