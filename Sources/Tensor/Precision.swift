// The arithmetic a model's products run in.
//
//   .float32   the default: matches the reference to float32 round-off
//   .bfloat16  linear layers and attention's two products multiply bfloat16-rounded inputs,
//              summing in float32 (VDPBF16PS, twice the multiply-adds per cycle of a float32
//              FMA); softmax, layer norms and activations compute in float32. Only on CPUs with
//              AVX512-BF16.
//
// The error bfloat16 adds against float32 is measured on full-size checkpoints and stated in
// docs/performance.md. Text embeddings differ too, so prompt caches key each precision apart.
import CBFloat16

public enum Precision: String, Sendable, CaseIterable {
    case float32 = "fp32"
    case bfloat16 = "bf16"

    /// Whether this CPU can run the precision.
    public var isSupported: Bool {
        switch self {
        case .float32: return true
        case .bfloat16: return Precision.bfloat16Hardware
        }
    }

    private static let bfloat16Hardware = cs_bf16_supported() != 0

    /// `name` for things made in this precision that must not mix with float32's (prompt
    /// caches: in memory per checkpoint, on disk per model kind). float32 keeps the name, so
    /// existing caches stay valid.
    public func tagged(_ name: String) -> String {
        self == .float32 ? name : "\(name)-\(rawValue)"
    }
}
