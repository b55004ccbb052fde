// Loading a model in a precision this CPU cannot run fails with one sentence, before any weight
// is packed (the bfloat16 kernel would stop the process with an illegal instruction).
import Tensor

func requireSupported(_ precision: Precision) throws {
    guard precision.isSupported else {
        throw ModelInputError("Precision \(precision.rawValue) needs a CPU with AVX512-BF16 (VDPBF16PS); this one has none. Use fp32.")
    }
}
