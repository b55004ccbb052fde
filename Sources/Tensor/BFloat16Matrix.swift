// A linear layer's weight [out, in] rounded to bfloat16 and packed once, at load time, into the
// panels CBFloat16's kernel reads; `multiply` rounds the input rows into a per-thread buffer
// (nothing allocated per call once it has grown) and spreads the panels over ComputeThreads.
//
//   let packed = BFloat16Matrix(weight)                 // weight [N, K] float32
//   packed.multiply(x, rows: m, into: y, accumulate: false)   // y [m, N] = x [m, K] W^T
import CBFloat16

public final class BFloat16Matrix: @unchecked Sendable {  // immutable after init
    public let outFeatures: Int
    public let inFeatures: Int
    private let words: UnsafeMutableBufferPointer<UInt32>

    public init(_ weight: Tensor) {
        // Models refuse bf16 on such CPUs with one sentence (requireSupported); this stops any
        // other caller before the kernel would hit an illegal instruction.
        precondition(Precision.bfloat16.isSupported, "bfloat16 needs a CPU with AVX512-BF16")
        precondition(weight.rank == 2, "BFloat16Matrix: weight must be [out, in], got \(weight.shape)")
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        words = .allocate(capacity: max(1, cs_bf16_packed_words(Int32(outFeatures), Int32(inFeatures))))
        weight.withUnsafeBufferPointer { w in
            if let base = w.baseAddress {
                cs_bf16_pack_weights(base, Int32(outFeatures), Int32(inFeatures), Int32(inFeatures), words.baseAddress!)
            }
        }
    }

    deinit { words.deallocate() }

    /// The packed weight widened back to float32 [out, in]: exactly the bfloat16-rounded values.
    public func unpacked() -> Tensor {
        let panel = Int(CS_BF16_PANEL), pairs = (inFeatures + 1) / 2
        var values = [Float](repeating: 0, count: outFeatures * inFeatures)
        for row in 0..<outFeatures {
            let base = (row / panel) * pairs * panel + row % panel
            for p in 0..<pairs {
                let word = words[base + p * panel]
                values[row * inFeatures + 2 * p] = Float(bitPattern: word << 16)
                if 2 * p + 1 < inFeatures { values[row * inFeatures + 2 * p + 1] = Float(bitPattern: word & 0xffff_0000) }
            }
        }
        return Tensor(shape: [outFeatures, inFeatures], storage: values)
    }

    /// c [rows, out] (ldc floats apart) = act((accumulate ? c : 0) + a [rows, in] x W^T + bias),
    /// bias [out] or nil; `quickGELU` is the only activation the kernel applies itself.
    public func multiply(_ a: UnsafePointer<Float>, rows: Int, lda: Int,
                         into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                         bias: UnsafePointer<Float>? = nil, quickGELU: Bool = false) {
        let m = Int32(rows), n = Int32(outFeatures), k = Int32(inFeatures)
        guard rows > 0, outFeatures > 0 else { return }
        MultiplyAddCounter.add(m: rows, n: outFeatures, k: inFeatures)
        guard let packedA = cs_bf16_thread_scratch(0, max(1, cs_bf16_packed_rows_words(m, k))) else {
            fatalError("BFloat16Matrix: out of memory for \(rows) rows of \(inFeatures) values")
        }
        // Rounding A reads and writes every input value once (a few % of the product at
        // OWL-ViT's 577 rows): big inputs are rounded in blocks of rows side by side. Blocks are
        // multiples of CS_BF16_ROWS, so only the last one writes the zero padding rows.
        let rowBlock = Int(CS_BF16_ROWS)
        let rowPieces = ComputeThreads.count > 1 && rows * inFeatures >= 1 << 16
            ? min(ComputeThreads.count, (rows + rowBlock - 1) / rowBlock) : 1
        let rowsPerPiece = ((rows + rowPieces - 1) / rowPieces + rowBlock - 1) / rowBlock * rowBlock
        let pairs = (inFeatures + 1) / 2
        ComputeThreads.forEach(rowPieces) { i in
            let first = min(i * rowsPerPiece, rows), last = min(first + rowsPerPiece, rows)
            if first < last {
                cs_bf16_pack_rows(a + first * lda, Int32(last - first), k, Int32(lda), packedA + first * pairs)
            }
        }
        // Column panels cut as gemm cuts its columns: about three pieces per worker once the
        // product is worth splitting.
        let pieces = GEMMPieces(length: Int(cs_bf16_panel_count(n)), minimum: 1, work: rows * outFeatures * inFeatures,
                                workers: ComputeThreads.count, alignment: 1)
        let weights = UnsafePointer(words.baseAddress!)
        let shared = UnsafePointer(packedA)
        ComputeThreads.forEach(pieces.count) { i in
            let part = pieces.range(i)
            cs_bf16_gemm_panels(m, n, k, shared, weights, Int32(part.lowerBound), Int32(part.upperBound), c, Int32(ldc),
                                accumulate ? 1 : 0, bias, quickGELU ? CS_BF16_QUICK_GELU : CS_BF16_LINEAR)
        }
    }
}
