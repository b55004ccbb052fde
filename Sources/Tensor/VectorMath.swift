// Vectorised kernels for the passes between GEMMs: exp (for softmax and quick-GELU), and the
// fused "bias + activation" and "bias + residual" passes that follow a GEMM.
//
//   vectorExp(x)                                  e^x on SIMD8<Float> lanes
//   biasActivation(c, rows:, n:, bias:, activation:)   c[r, :] = act(c[r, :] + bias) in one pass
//
// The exp is Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial), within
// about 2 ulp of expf over the float range: far inside the models' 1e-4 tolerance. Inputs
// below -87.3 (including -infinity from attention masks) give exactly 0, as expf does once it
// underflows.

import Foundation

public typealias FloatVector = SIMD8<Float>
let vectorWidth = FloatVector.scalarCount

@inline(__always)
public func vectorExp(_ x: FloatVector) -> FloatVector {
    let hi = FloatVector(repeating: 88.37626), lo = FloatVector(repeating: -87.33654)
    let underflow = x .< lo
    var v = x.clamped(lowerBound: lo, upperBound: hi)
    let n = (v * 1.44269504088896341).rounded(.toNearestOrEven)
    v = v - n * 0.693359375
    v = v - n * -2.12194440e-4
    var p = FloatVector(repeating: 1.9875691500e-4)
    p = p * v + 1.3981999507e-3
    p = p * v + 8.3334519073e-3
    p = p * v + 4.1665795894e-2
    p = p * v + 1.6666665459e-1
    p = p * v + 5.0000001201e-1
    p = p * (v * v) + v + 1
    let bits = (SIMD8<Int32>(n) &+ 127) &<< 23
    var result = p * unsafeBitCast(bits, to: FloatVector.self)
    result.replace(with: 0, where: underflow)
    return result
}

@inline(__always)
func load(_ p: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
}

@inline(__always)
func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
}

/// x sigmoid(1.702 x) on one vector (quick-GELU).
@inline(__always)
func vectorQuickGELU(_ x: FloatVector) -> FloatVector {
    x / (1 + vectorExp(-1.702 * x))
}

/// In place over `count` floats: quick-GELU, vectorised with a scalar tail.
func quickGELURun(_ p: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + vectorWidth <= count {
        store(vectorQuickGELU(load(p + i)), p + i)
        i += vectorWidth
    }
    while i < count { let v = p[i]; p[i] = v / (1 + expf(-1.702 * v)); i += 1 }
}

/// c[r, j] = activation(c[r, j] + bias[j]) for a row-major [rows, n] block with leading
/// dimension `ldc`: the one pass that follows a GEMM instead of a bias pass and an activation pass.
public func biasActivation(_ c: UnsafeMutablePointer<Float>, rows: Int, n: Int, ldc: Int,
                           bias: UnsafePointer<Float>?, activation: Activation?) {
    for r in 0..<rows {
        let row = c + r * ldc
        if let bias {
            var j = 0
            while j + vectorWidth <= n { store(load(row + j) + load(bias + j), row + j); j += vectorWidth }
            while j < n { row[j] += bias[j]; j += 1 }
        }
        switch activation {
        case nil: break
        case .quickGELU?: quickGELURun(row, count: n)
        case .relu?:
            for j in 0..<n { row[j] = max(row[j], 0) }
        case .gelu?:
            for j in 0..<n { let v = row[j]; row[j] = 0.5 * v * (1 + erff(v * 0.70710678118654752)) }
        case .geluTanh?:
            for j in 0..<n {
                let v = row[j]
                row[j] = 0.5 * v * (1 + tanhf(0.7978845608028654 * (v + 0.044715 * v * v * v)))
            }
        }
    }
}
