// Loading a model in a precision this CPU cannot run fails with one sentence, before any weight
// is packed (the bfloat16 kernel would stop the process with an illegal instruction). And text
// embeddings made in bfloat16 are not float32's: caches key them apart.
import Tensor

/// The prompt-embedding cache key of a checkpoint loaded in `precision` (float32 keeps the
/// checkpoint's own identity, so existing caches stay valid).
func cacheIdentity(_ checkpoint: String, _ precision: Precision) -> String {
    precision == .float32 ? checkpoint : "\(checkpoint)#\(precision.rawValue)"
}

func requireSupported(_ precision: Precision) throws {
    guard precision.isSupported else {
        throw ModelInputError("Precision \(precision.rawValue) needs a CPU with AVX512-BF16 (VDPBF16PS); this one has none. Use fp32.")
    }
}
