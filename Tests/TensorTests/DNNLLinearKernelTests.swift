// Linear layers on oneDNN (ComputeBackend.onednn) against a float64 product of the same inputs
// (for bfloat16: of the bfloat16-rounded inputs), with bias, each activation as a post-op, and
// accumulation onto C. What is left is float32 summation in the primitive's block order, so
// the tolerance is 4e-6 of the sum of |products| per output (activations here have slopes
// below 1.2, so they do not widen it materially). Shapes cover rows below and above the
// kernel's blocks and inputs cut into blocks of rows for two workers, N not a multiple of 16/64,
// K longer than a block, padded leading dimensions. Plus: the float32 copy is released and what the primitive holds reads back
// exactly; stacking layers on oneDNN computes what the parts do.
import Foundation
import Testing
@testable import Tensor

private func bfloat16(_ x: Float) -> Float {
    let bits = x.bitPattern
    return Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000)
}

private func reference(_ activation: Activation?, _ x: Double) -> Double {
    switch activation {
    case nil: return x
    case .gelu?: return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    case .geluTanh?: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case .quickGELU?: return x / (1 + exp(-1.702 * x))
    case .relu?: return max(x, 0)
    }
}

@Suite(.enabled(if: ComputeBackend.onednn.isAvailable, "oneDNN's CPU engine did not start"))
struct DNNLLinearKernelTests {
    static let precisions = Precision.allCases.filter(\.isSupported)

    @Test(arguments: precisions, [(1, 1, 1), (5, 7, 3), (13, 37, 11), (50, 96, 769), (9, 40, 2100), (577, 100, 64),
                                  (300, 500, 70), (50, 1000, 100)])
    func productMatchesFloat64(precision: Precision, shape: (m: Int, n: Int, k: Int)) {
        ComputeThreads.count = 2
        let (m, n, k) = shape
        let lda = k + 3, ldc = n + 5
        let round: (Float) -> Double = { Double(precision == .bfloat16 ? bfloat16($0) : $0) }
        let a = pseudoRandomValues(m * lda, seed: 1), w = pseudoRandomValues(n * k, seed: 2), b = pseudoRandomValues(n, seed: 9)
        let kernel = DNNLLinearKernel(weight: Tensor(shape: [n, k], storage: w), bias: Tensor(shape: [n], storage: b),
                                      precision: precision)
        for (accumulate, activation) in [(false, nil), (true, nil)] + Activation.allCases.map({ (false, $0) }) {
            let start = pseudoRandomValues(m * ldc, seed: 3)
            var c = start
            a.withUnsafeBufferPointer { pa in c.withUnsafeMutableBufferPointer { pc in
                kernel.run(pa.baseAddress!, rows: m, lda: lda, into: pc.baseAddress!, ldc: ldc,
                           accumulate: accumulate, activation: activation)
            }}
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = Double(b[j]) + (accumulate ? Double(start[i * ldc + j]) : 0), magnitude = abs(sum)
                    for p in 0..<k {
                        let product = round(a[i * lda + p]) * round(w[j * k + p])
                        sum += product
                        magnitude += abs(product)
                    }
                    worst = max(worst, abs(Double(c[i * ldc + j]) - reference(activation, sum)) / max(magnitude, 1e-30))
                }
                // The padding between rows of C is never written.
                for j in n..<ldc { #expect(c[i * ldc + j] == start[i * ldc + j]) }
            }
            #expect(worst <= 4e-6, "\(precision) \(m)x\(n)x\(k) \(activation.map(\.rawValue) ?? "linear") accumulate \(accumulate): \(worst)")
        }
    }

    @Test(arguments: precisions)
    func layersKeepOneCopyAndStackExactly(precision: Precision) {
        let layer = Linear(weight: Tensor(shape: [24, 40], storage: pseudoRandomValues(960, seed: 4)),
                           bias: Tensor(shape: [24], storage: pseudoRandomValues(24, seed: 5)))
        let onDNNL = layer.converted(to: precision, backend: .onednn)
        #expect(onDNNL.backend == .onednn && onDNNL.precision == precision && onDNNL.weight.count == 0)
        #expect(onDNNL.floatWeight.storage == layer.weight.storage.map { precision == .bfloat16 ? bfloat16($0) : $0 })
        let x = Tensor(shape: [7, 40], storage: pseudoRandomValues(280, seed: 6))
        let stacked = Linear.stacked([onDNNL, onDNNL])
        #expect(stacked.backend == .onednn && stacked.outFeatures == 48)
        let both = stacked(x), one = onDNNL(x)
        for r in 0..<7 {
            #expect(Array(both.storage[(r * 48)..<(r * 48 + 24)]) == Array(one.storage[(r * 24)..<(r * 24 + 24)]), "row \(r)")
        }
        let back = onDNNL.converted(to: .float32, backend: .openblas)
        #expect(back.backend == .openblas && back.weight.storage == onDNNL.floatWeight.storage)
    }
}
