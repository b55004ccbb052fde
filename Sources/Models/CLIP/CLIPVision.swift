// CLIP's vision tower: CLIPVisionEmbeddings (patch embedding, class token, position
// embeddings), pre-layernorm, CLIPEncoder, and post-layernorm on the class token. Ports
// CLIPVisionModel from transformers 5.24's models/clip/modeling_clip.py.
//
//   let vision = CLIPVisionTransformer(weights: binder.scope("vision_model"), config: config.visionConfig)
//   let out = try vision(pixelValues)   // [B, C, imageSize, imageSize]
//   out.lastHiddenState [B, 1 + N, D] (before post-layernorm, as transformers returns it),
//   out.pooled [B, D] (post-layernorm of the class token)
//   embeddings(pixels, positions:) / embeddings.apply(..., into:)   [B, 1 + N, D]
//   try vision(pixelValues, workspace: &ws)   // the encoder's intermediates kept across frames
//
// OWL-ViT names the pre-norm `pre_layernorm` (pass preLayerNormKey); CLIPSeg interpolates the
// position embeddings for other input sizes (pass them to `embeddings.callAsFunction`).
import Tensor

public struct CLIPVisionEmbeddings: Sendable {
    public let classEmbedding: Tensor     // class_embedding [D]
    public let patchEmbedding: PatchEmbedding  // patch_embedding.weight [D, C, P, P] (no bias)
    public let positionEmbedding: Tensor  // position_embedding.weight [1 + N, D]

    public init(weights w: WeightScope, config c: CLIPVisionConfig) {
        let d = c.hiddenSize
        classEmbedding = w.tensor("class_embedding", shape: [d])
        patchEmbedding = PatchEmbedding(
            weight: w.tensor("patch_embedding.weight", shape: [d, c.numChannels, c.patchSize, c.patchSize]), bias: nil,
            precision: w.precision, backend: w.backend)
        positionEmbedding = w.tensor("position_embedding.weight", shape: [c.numPositions, d])
    }

    /// [B, 1 + N, D]: the class token then the patches, plus `positions` ([1 + N, D]; the
    /// checkpoint's position embeddings by default).
    public func callAsFunction(_ pixels: Tensor, positions: Tensor? = nil) -> Tensor {
        var columns = Tensor(zeros: [0]), patches = Tensor(zeros: [0]), out = Tensor(zeros: [0])
        apply(pixels, positions: positions, columns: &columns, patches: &patches, into: &out)
        return out
    }

    /// The same into `out`, with the unfolded patches and patch embeddings in reused scratch.
    public func apply(_ pixels: Tensor, positions: Tensor? = nil, columns: inout Tensor,
                      patches: inout Tensor, into out: inout Tensor) {
        patchEmbedding.apply(pixels, columns: &columns, into: &patches)
        let b = patches.shape[0], n = patches.shape[1], d = patches.shape[2]
        out.prepare(shape: [b, n + 1, d])
        out.withUnsafeMutableBufferPointer { o in
            classEmbedding.withUnsafeBufferPointer { cls in
                patches.withUnsafeBufferPointer { p in
                    for bi in 0..<b {
                        let base = bi * (n + 1) * d
                        for j in 0..<d { o[base + j] = cls[j] }
                        for j in 0..<(n * d) { o[base + d + j] = p[bi * n * d + j] }
                    }
                }
            }
        }
        out.addBroadcast(positions ?? positionEmbedding)
    }
}

public struct CLIPVisionOutput: Sendable {
    public var lastHiddenState: Tensor
    public var pooled: Tensor
}

public struct CLIPVisionTransformer: Sendable {
    public let config: CLIPVisionConfig
    public let embeddings: CLIPVisionEmbeddings  // embeddings.*
    public let preLayerNorm: LayerNorm           // pre_layrnorm.{weight,bias} (sic, as in transformers)
    public let encoder: CLIPEncoder              // encoder.layers.*
    public let postLayerNorm: LayerNorm          // post_layernorm.{weight,bias}

    public init(weights w: WeightScope, config: CLIPVisionConfig, preLayerNormKey: String = "pre_layrnorm") {
        self.config = config
        let d = config.hiddenSize, eps = Float(config.layerNormEps)
        embeddings = CLIPVisionEmbeddings(weights: w.scope("embeddings"), config: config)
        preLayerNorm = w.layerNorm(preLayerNormKey, size: d, eps: eps)
        encoder = CLIPEncoder(weights: w.scope("encoder"), sizes: config.encoderSizes)
        postLayerNorm = w.layerNorm("post_layernorm", size: d, eps: eps)
    }

    /// Checks that `pixels` is [B, numChannels, imageSize, imageSize], as transformers requires
    /// without position-embedding interpolation.
    public func checkInput(_ pixels: Tensor) throws {
        let want = [config.numChannels, config.imageSize, config.imageSize]
        guard pixels.rank == 4, pixels.shape[0] > 0, Array(pixels.shape.dropFirst()) == want else {
            throw ModelInputError("The vision model needs pixel values [B, \(want.map(String.init).joined(separator: ", "))], got \(pixels.shape).")
        }
    }

    public func callAsFunction(_ pixels: Tensor, observe: ((Int, Tensor) -> Void)? = nil) throws -> CLIPVisionOutput {
        var workspace = CLIPEncoderWorkspace()
        return try callAsFunction(pixels, workspace: &workspace, observe: observe)
    }

    /// The same with the encoder's intermediates in a caller-kept `workspace` (per-frame use).
    public func callAsFunction(_ pixels: Tensor, workspace: inout CLIPEncoderWorkspace,
                               observe: ((Int, Tensor) -> Void)? = nil) throws -> CLIPVisionOutput {
        try checkInput(pixels)
        var h = Tensor(zeros: [0])
        swap(&h, &workspace.stream)
        defer { workspace.stream = h }
        embeddings.apply(pixels, columns: &workspace.columns, patches: &workspace.patches, into: &h)
        preLayerNorm.normalize(&h)
        encoder.run(&h, workspace: &workspace, observe: observe)
        let tokens = h.shape[1]
        var pooled = h.gatherRows((0..<h.shape[0]).map { $0 * tokens })
        postLayerNorm.normalize(&pooled)
        return CLIPVisionOutput(lastHiddenState: h, pooled: pooled)
    }
}
