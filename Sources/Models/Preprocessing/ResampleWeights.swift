// Per-axis resampling coefficients in fixed point: which input pixels feed each output pixel,
// and with what integer weights.
//
// Ports Pillow's precompute_coeffs + normalize_coeffs_8bpc (libImaging/Resample.c) and torch's
// _compute_indices_min_size_weights_aa + _compute_index_ranges_int16_weights
// (aten/src/ATen/native/cpu/UpSampleKernel.cpp). Both: the kernel is centred on
// (i + 0.5) * scale, its support widened by the downscale factor so downscaling averages
// (antialiasing), the taps normalised to sum 1 in double, then rounded half away from zero
// into integers. They differ only in the integer scale: Pillow always uses 2^22; torch picks
// the largest precision that keeps the biggest weight below 2^15 (int16 for AVX madd).

struct ResampleWeights {
    let inputLength: Int
    let outputLength: Int
    /// Coefficient slots per output pixel.
    let taps: Int
    /// First input index read by each output pixel.
    let starts: [Int]
    /// Number of input pixels read by each output pixel (<= taps).
    let counts: [Int]
    /// `outputLength * taps` fixed-point weights; output i uses coefficients[i * taps ..< i * taps + counts[i]].
    let coefficients: [Int32]
    /// Fractional bits of the coefficients: a pixel is (sum + 2^(p-1)) >> p, clamped to 0...255.
    let precision: Int

    init(input: Int, output: Int, kernel: ResampleKernel, backend: PreprocessingBackend) {
        precondition(input > 0 && output > 0)
        let scale = Double(input) / Double(output)
        let filterScale = max(scale, 1.0)
        let support = kernel.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](repeating: 0, count: output)
        var counts = [Int](repeating: 0, count: output)
        var weights = [Double](repeating: 0, count: output * taps)
        var largest = 0.0
        for i in 0..<output {
            let center = (Double(i) + 0.5) * scale
            let inverse = 1.0 / filterScale
            // C casts truncate toward zero; the clamps follow.
            let first = max(Int(center - support + 0.5), 0)
            let count = min(max(min(Int(center + support + 0.5), input) - first, 0), taps)
            var total = 0.0
            for j in 0..<count {
                let w = kernel.weight((Double(j + first) - center + 0.5) * inverse)
                weights[i * taps + j] = w
                total += w
            }
            if total != 0 {
                for j in 0..<count {
                    weights[i * taps + j] /= total
                    largest = max(largest, weights[i * taps + j])
                }
            }
            starts[i] = first
            counts[i] = count
        }

        let precision: Int
        switch backend {
        case .pil:
            precision = 22  // PRECISION_BITS = 32 - 8 - 2
        case .torchvision:
            // The first p whose doubled scale would push the largest weight to 2^15, capped at 22.
            var p = 0
            while p < 22 {
                if Int(0.5 + largest * Double(1 << (p + 1))) >= 1 << 15 { break }
                p += 1
            }
            precision = p
        }
        let one = Double(1 << precision)
        self.coefficients = weights.map { w in
            let v = w * one
            return Int32(v < 0 ? (-0.5 + v).rounded(.towardZero) : (0.5 + v).rounded(.towardZero))
        }
        self.inputLength = input
        self.outputLength = output
        self.taps = taps
        self.starts = starts
        self.counts = counts
        self.precision = precision
    }

    /// The input range that outputs `range` read (for computing only the rows a crop keeps).
    func inputSpan(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else { return 0..<0 }
        var low = Int.max, high = Int.min
        for i in range {
            low = min(low, starts[i])
            high = max(high, starts[i] + counts[i])
        }
        return low..<max(low, high)
    }
}

/// Weights for the last few (input, output) length pairs. Video frames keep one size, so the
/// per-frame path computes coefficients once and then only looks them up.
struct ResampleWeightsCache {
    private struct Key: Hashable { let input: Int; let output: Int }
    private var entries: [Key: ResampleWeights] = [:]
    private let capacity = 8

    mutating func weights(input: Int, output: Int, kernel: ResampleKernel,
                          backend: PreprocessingBackend) -> ResampleWeights {
        let key = Key(input: input, output: output)
        if let hit = entries[key] { return hit }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        let made = ResampleWeights(input: input, output: output, kernel: kernel, backend: backend)
        entries[key] = made
        return made
    }
}
