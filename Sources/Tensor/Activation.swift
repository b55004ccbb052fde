// Activation functions, by their Hugging Face `hidden_act` names, applied in place.
//
//   Activation(huggingFaceName: "quick_gelu")  -> .quickGELU (nil for names we do not know)
//   act.apply(&x)                              in place
//   gelu(&x), quickGELU(&x), relu(&x)          the same as free functions (in place)
//
//   gelu        0.5 x (1 + erf(x / sqrt 2))             ("gelu")
//   geluTanh    0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))  ("gelu_new", "gelu_pytorch_tanh")
//   quickGELU   x sigmoid(1.702 x)                       ("quick_gelu"; OpenAI CLIP)
//   relu        max(x, 0)                                ("relu")

import Foundation

public enum Activation: String, Sendable, Codable, CaseIterable {
    case gelu
    case geluTanh
    case quickGELU
    case relu

    public init?(huggingFaceName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "quick_gelu": self = .quickGELU
        case "relu": self = .relu
        default: return nil
        }
    }

    public func apply(_ x: inout Tensor) {
        switch self {
        case .gelu: erfGELU(&x)
        case .geluTanh: tanhGELU(&x)
        case .quickGELU: sigmoidGELU(&x)
        case .relu: rectify(&x)
        }
    }
}

public func gelu(_ x: inout Tensor) { erfGELU(&x) }
public func quickGELU(_ x: inout Tensor) { sigmoidGELU(&x) }
public func relu(_ x: inout Tensor) { rectify(&x) }

@inline(__always)
private func sigmoidGELU(_ x: inout Tensor) {
    x.withUnsafeMutableBufferPointer { p in
        guard let base = p.baseAddress else { return }
        quickGELURun(base, count: p.count)
    }
}

@inline(__always)
private func rectify(_ x: inout Tensor) {
    x.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = max(p[i], 0) }
    }
}

@inline(__always)
private func erfGELU(_ x: inout Tensor) {
    x.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { let v = p[i]; p[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752)) }
    }
}

@inline(__always)
private func tanhGELU(_ x: inout Tensor) {
    x.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count {
            let v = p[i]
            p[i] = 0.5 * v * (1 + tanhf(0.7978845608028654 * (v + 0.044715 * v * v * v)))
        }
    }
}
