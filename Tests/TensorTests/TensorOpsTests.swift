// Every op in Sources/Tensor against torch's output on the same random inputs.
import Testing
import Tensor
import TestSupport

/// One op on small inputs (sums of at most 48 terms): torch and any correct float32 BLAS differ
/// only in summation order, a few float32 steps of the output's scale. 1e-6 of max |ref| is
/// ~8 steps (2^-23 each); the worst seen is 1.9e-7 (patch embedding, OPENBLAS_CORETYPE=Haswell).
private let tolerance = Tolerance.ofScale(1e-6)

@Suite struct TensorOpsTests {
    @Test func linearWithAndWithoutBias() throws {
        let f = try OpFixture.load("linear")
        let x = f.tensor("x")
        let y = Linear(weight: f.tensor("weight"), bias: f.tensor("bias"))(x)
        #expect(y.shape == [2, 3, 4])
        expectClose(y.storage, f.tensor("y").storage, tolerance, "linear")
        var reused = Tensor(zeros: [2, 3, 4])
        Linear(weight: f.tensor("weight"), bias: nil).apply(x, into: &reused)
        expectClose(reused.storage, f.tensor("y_no_bias").storage, tolerance, "linear without bias")
    }

    @Test func batchedMatmul() throws {
        let f = try OpFixture.load("matmul")
        let a = f.tensor("a")
        let c = matmul(a, f.tensor("b"))
        #expect(c.shape == [2, 3, 4, 6])
        expectClose(c.storage, f.tensor("c").storage, tolerance, "a @ b")
        let ct = matmul(a, f.tensor("b_t"), transposeB: true)
        expectClose(ct.storage, f.tensor("c_t").storage, tolerance, "a @ b^T")
        let cs = matmul(a, f.tensor("shared"))
        #expect(cs.shape == [2, 3, 4, 7])
        expectClose(cs.storage, f.tensor("c_shared").storage, tolerance, "a @ shared")
    }

    @Test func layerNorm() throws {
        let f = try OpFixture.load("layer_norm")
        let norm = LayerNorm(weight: f.tensor("weight"), bias: f.tensor("bias"), eps: Float(f.params["eps"]!))
        expectClose(norm(f.tensor("x")).storage, f.tensor("y").storage, tolerance, "layer norm")
        var out = Tensor(zeros: [0])
        norm.apply(f.tensor("x"), into: &out)
        #expect(out.shape == [2, 4, 7])
        expectClose(out.storage, f.tensor("y").storage, tolerance, "layer norm into")
    }

    @Test func softmaxOverLastDimension() throws {
        let f = try OpFixture.load("softmax")
        expectClose(softmax(f.tensor("x")).storage, f.tensor("y").storage, tolerance, "softmax")
    }

    @Test func softmaxOfFullyMaskedRowIsZero() {
        var x = Tensor(shape: [1, 3], storage: [-.infinity, -.infinity, -.infinity])
        softmaxLastDimension(&x)
        #expect(x.storage == [0, 0, 0])
    }

    @Test(arguments: [("gelu", Activation.gelu), ("gelu_tanh", .geluTanh),
                      ("quick_gelu", .quickGELU), ("relu", .relu)])
    func activation(name: String, act: Activation) throws {
        let f = try OpFixture.load("activations")
        var x = f.tensor("x")
        act.apply(&x)
        expectClose(x.storage, f.tensor(name).storage, tolerance, name)
    }

    @Test func activationNamesFromConfig() {
        #expect(Activation(huggingFaceName: "quick_gelu") == .quickGELU)
        #expect(Activation(huggingFaceName: "gelu") == .gelu)
        #expect(Activation(huggingFaceName: "gelu_pytorch_tanh") == .geluTanh)
        #expect(Activation(huggingFaceName: "swish") == nil)
    }

    @Test(arguments: [("plain", false, false), ("causal", true, false),
                      ("padded", false, true), ("causal_padded", true, true)])
    func multiHeadAttention(name: String, causal: Bool, padded: Bool) throws {
        let f = try OpFixture.load("attention")
        let mask = AttentionMask(causal: causal, keyPadding: padded ? f.tensor("key_padding") : nil)
        let y = attention(query: f.tensor("q"), key: f.tensor("k"), value: f.tensor("v"),
                          heads: Int(f.params["heads"]!), mask: mask)
        #expect(y.shape == [2, 6, 8])
        // Two chained products and a softmax: worst seen 2.0e-7 of scale, so twice the op tolerance.
        expectClose(y.storage, f.tensor(name).storage, .ofScale(2e-6), "attention \(name)")
    }

    @Test func crossAttentionWithMoreKeysThanQueries() throws {
        let f = try OpFixture.load("attention")
        let y = attention(query: f.tensor("q"), key: f.tensor("k_cross"), value: f.tensor("v_cross"),
                          heads: Int(f.params["heads"]!))
        expectClose(y.storage, f.tensor("cross").storage, tolerance, "cross attention")
    }

    @Test func patchEmbeddingDropsTheRemainderLikeConv2d() throws {
        let f = try OpFixture.load("patch_embedding")
        let embed = PatchEmbedding(weight: f.tensor("weight"), bias: f.tensor("bias"))
        let y = embed(f.tensor("pixels"))
        #expect(y.shape == [2, 6, 6])
        expectClose(y.storage, f.tensor("y").storage, tolerance, "patch embedding (48-term sums)")
    }

    @Test func l2Normalisation() throws {
        let f = try OpFixture.load("l2_normalize")
        expectClose(l2Normalized(f.tensor("x")).storage, f.tensor("y").storage, tolerance, "l2")
    }

    @Test func rowHelpersAndBroadcastAdd() {
        let x = Tensor(shape: [3, 2], storage: [1, 2, 3, 4, 5, 6])
        #expect(x.gatherRows([2, 0]).storage == [5, 6, 1, 2])
        #expect(x.rows(1..<3).storage == [3, 4, 5, 6])
        var y = Tensor(shape: [2, 3, 2], storage: Array(repeating: 1, count: 12))
        y.addBroadcast(x)
        #expect(y.storage == [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7])
    }

    @Test func prepareReusesStorageOfTheSameSize() {
        var t = Tensor(zeros: [2, 6])
        t.prepare(shape: [3, 4])
        #expect(t.shape == [3, 4] && t.count == 12)
        t.prepare(shape: [5])
        #expect(t.count == 5)
    }
}
