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
    var v = vectorMin(vectorMax(x, lo), hi)
    // n = round(x / ln 2) by the 1.5 * 2^23 trick: adding it leaves n in the low mantissa
    // bits, so no float-to-int conversion (which Swift's generic SIMD code does lane by lane).
    let magic = FloatVector(repeating: 12582912)
    let shifted = v * 1.44269504088896341 + magic
    let n = shifted - magic
    let exponent = asInts(shifted) &- asInts(magic)
    v = v - n * 0.693359375
    v = v - n * -2.12194440e-4
    var p = FloatVector(repeating: 1.9875691500e-4)
    p = p * v + 1.3981999507e-3
    p = p * v + 8.3334519073e-3
    p = p * v + 4.1665795894e-2
    p = p * v + 1.6666665459e-1
    p = p * v + 5.0000001201e-1
    p = p * (v * v) + v + 1
    let result = p * asFloats((exponent &+ 127) &<< 23)
    return select(underflow, FloatVector(repeating: 0), result)
}

// Lane selection and min/max through bit masks: the standard library's `replacing(with:where:)`,
// `pointwiseMin` and `pointwiseMax` are generic lane loops that do not vectorise.
@inline(__always)
func asInts(_ v: FloatVector) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }

@inline(__always)
func asFloats(_ v: SIMD8<Int32>) -> FloatVector { unsafeBitCast(v, to: FloatVector.self) }

/// `a` where `mask` is set, else `b`.
@inline(__always)
func select(_ mask: SIMDMask<SIMD8<Int32>>, _ a: FloatVector, _ b: FloatVector) -> FloatVector {
    let m = unsafeBitCast(mask, to: SIMD8<Int32>.self)
    return asFloats((asInts(a) & m) | (asInts(b) & ~m))
}

@inline(__always)
func vectorMax(_ a: FloatVector, _ b: FloatVector) -> FloatVector { select(a .> b, a, b) }

@inline(__always)
func vectorMin(_ a: FloatVector, _ b: FloatVector) -> FloatVector { select(a .< b, a, b) }

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
