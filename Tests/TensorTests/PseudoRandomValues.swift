// Deterministic test inputs in [-1, 1): a 64-bit LCG per seed, shared by the GEMM tests.

func pseudoRandomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E3779B97F4A7C15 | 1
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
}
