// CLIPSeg for text-prompted segmentation: transformers' CLIPSegForImageSegmentation, split so
// that the prompt side and the image side can run at their own rates.
//
//   let model = try CLIPSegModel(directory: url)
//   let prompts = try model.promptEmbeddings(inputIDs: ids, attentionMask: mask)  // [P, projection_dim]
//   let logits = try model.logits(pixelValues: pixels, promptEmbeddings: prompts)  // [P, H, W]
//
// promptEmbeddings are the reference's `conditional_embeddings` (text_projection of the pooled
// text output, not normalised). `logits` runs the backbone once for the image and the decoder
// once for all prompts together; the reference repeats the image once per prompt.
import Foundation
import Tensor

public struct CLIPSegModel: Sendable {
    public let config: CLIPSegConfig
    let text: CLIPTextTransformer          // clip.text_model
    let textProjection: Linear             // clip.text_projection (no bias)
    let backbone: CLIPSegBackbone          // clip.vision_model
    let decoder: CLIPSegDecoder            // decoder
    /// Identifies the weights for prompt-embedding caches.
    public let checkpointID: String

    /// Builds the model from `weights`, checking every key against `config` (throws one
    /// WeightBindingError listing all missing, mis-shaped and unexpected keys).
    /// `precision` applies to the text tower and the vision backbone (the decoder's small
    /// products stay float32); `checkpointID` gets it appended unless it is float32.
    public init(config: CLIPSegConfig, weights: WeightBinder, checkpointID: String? = nil, source: URL? = nil,
                precision: Precision = .float32) throws {
        if let problem = config.problems().first {
            throw ConfigError(file: source ?? weights.file.url.deletingLastPathComponent()
                .appendingPathComponent("config.json"), "\(problem).")
        }
        try requireSupported(precision)
        self.config = config
        let clip = weights.scope("clip").computing(in: precision)
        text = CLIPTextTransformer(weights: clip.scope("text_model"), config: config.textConfig)
        textProjection = clip.linear("text_projection", in: config.textConfig.hiddenSize,
                                     out: config.projectionDim, bias: false)
        backbone = CLIPSegBackbone(weights: clip.scope("vision_model"), config: config)
        decoder = CLIPSegDecoder(weights: weights.scope("decoder"), config: config)
        // Read by the reference only for pooled_output / CLIPSegModel's contrastive logits.
        let unusedVision = CLIPSegBackbone.unusedKeys(prefix: "clip.vision_model", config: config)
        weights.allowUnused { key in
            unusedVision(key) || key == "clip.visual_projection.weight" || key == "clip.logit_scale"
                || key.hasSuffix("embeddings.position_ids")
        }
        try weights.finish()
        self.checkpointID = precision.tagged(checkpointID ?? weights.file.url.path)
    }

    /// Loads config.json and model.safetensors from a checkpoint directory.
    public init(directory: URL, precision: Precision = .float32) throws {
        let (config, configURL) = try ModelFamily.clipSeg.decodeConfig(CLIPSegConfig.self, in: directory)
        let weightsURL = try checkpointWeightsFile(in: directory)
        try self.init(config: config, weights: WeightBinder(contentsOf: weightsURL),
                      checkpointID: checkpointIdentity(weightsURL), source: configURL, precision: precision)
    }

    /// The reference's conditional embeddings for tokenised prompts, [P, projection_dim].
    public func promptEmbeddings(inputIDs: [[Int32]], attentionMask: [[Int32]]?) throws -> Tensor {
        textProjection(try text(inputIDs: inputIDs, attentionMask: attentionMask).pooled)
    }

    /// FiLM scale and shift for prompt embeddings [P, projection_dim]; depends only on the
    /// prompts, so a segmenter keeps it for every frame.
    func conditioning(_ promptEmbeddings: Tensor) throws -> PromptConditioning {
        guard promptEmbeddings.rank == 2, promptEmbeddings.shape[0] > 0,
              promptEmbeddings.shape[1] == config.projectionDim else {
            throw ModelInputError("CLIPSeg needs prompt embeddings [P, \(config.projectionDim)] with at least one prompt, got \(promptEmbeddings.shape).")
        }
        return decoder.film.conditioning(promptEmbeddings)
    }

    /// Logits [P, H, W] at model resolution for one image `pixelValues` [1, C, H, W].
    public func logits(pixelValues: Tensor, promptEmbeddings: Tensor) throws -> Tensor {
        try logits(pixelValues: pixelValues, conditioning: conditioning(promptEmbeddings))
    }

    func logits(pixelValues: Tensor, conditioning: PromptConditioning) throws -> Tensor {
        var workspace = CLIPSegWorkspace()
        try run(pixelValues: pixelValues, conditioning: conditioning, workspace: &workspace)
        return workspace.logits
    }

    /// Logits into `ws.logits`, every intermediate in `ws` (kept across frames by a segmenter).
    func run(pixelValues: Tensor, conditioning: PromptConditioning, workspace ws: inout CLIPSegWorkspace) throws {
        try checkPixels(pixelValues)
        let (rows, columns) = backbone.run(pixelValues, workspace: &ws)
        decoder.run(conditioning: conditioning, rows: rows, columns: columns, workspace: &ws)
    }

    private func checkPixels(_ pixels: Tensor) throws {
        let v = config.visionConfig
        guard pixels.rank == 4, pixels.shape[0] == 1, pixels.shape[1] == v.numChannels,
              pixels.shape[2] >= v.patchSize, pixels.shape[3] >= v.patchSize else {
            throw ModelInputError("CLIPSeg needs one image's pixel values [1, \(v.numChannels), H, W] with H and W at least the patch size \(v.patchSize), got \(pixels.shape).")
        }
    }
}
