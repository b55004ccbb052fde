// The library a model's matrix products run on, chosen once when the model loads.
//
//   .onednn    oneDNN's matmul primitives: weights reordered once into the layout they prefer,
//              bias and activation (and a residual add) fused into the product, fp32 and bf16.
//              The default where oneDNN's CPU engine starts.
//   .openblas  OpenBLAS's sgemm, and for bf16 ClipStream's own AVX512-BF16 kernel (CBFloat16):
//              the portable choice.
//
//   ComputeBackend.selected = .openblas      before loading (`--backend`)
//   CLIPSTREAM_BACKEND=openblas              the same from the environment, so a test run can
//                                            put every model of a suite on one backend
import CDNNLShim
import Foundation

public enum ComputeBackend: String, Sendable, CaseIterable {
    case onednn
    case openblas

    /// Whether the backend runs here (oneDNN is linked; this fails only if its engine cannot start).
    public var isAvailable: Bool {
        switch self {
        case .onednn: return ComputeBackend.dnnlEngine
        case .openblas: return true
        }
    }

    private static let dnnlEngine = cs_dnnl_available() != 0

    /// What models load on when nobody says: CLIPSTREAM_BACKEND if set to a backend's name, else
    /// oneDNN when available. Set it before loading a model; loaded layers keep theirs.
    nonisolated(unsafe) public static var selected: ComputeBackend = fromEnvironment() ?? (ComputeBackend.onednn.isAvailable ? .onednn : .openblas)

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ComputeBackend? {
        environment["CLIPSTREAM_BACKEND"].flatMap { ComputeBackend(rawValue: $0.lowercased()) }
    }

    /// The library and its version, for benchmark reports ("oneDNN 2.6.3", "OpenBLAS").
    public var versionDescription: String {
        switch self {
        case .onednn: return "oneDNN " + String(cString: cs_dnnl_version())
        case .openblas: return "OpenBLAS"
        }
    }
}
