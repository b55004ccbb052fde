// Text-prompted segmentation of images and video frames with one CLIPSeg checkpoint: what
// CLIPSegProcessor + CLIPSegForImageSegmentation give, with the prompt work done once.
//
//   let segmenter = try CLIPSegSegmenter(directory: url, prompts: ["sky", "road"], threshold: 0.5)
//   let segments = try segmenter.segment(image)     // RGBImageView of any size -> one PromptSegment per prompt
//   segments[0].logits            [H, W] at model resolution
//   segments[0].coverage, .meanProbability, .boundingBox (source pixels), .probabilityMask()
//
// Prompts are tokenised and embedded when the segmenter is made, through a TextEmbeddingCache
// keyed by (checkpoint, text) — or handed in already embedded (`embed` computes them) — and
// their FiLM scale and shift are computed then too. Per frame:
// preprocessing, one backbone pass, one decoder pass batched over the prompts.
// Not thread-safe (the preprocessor reuses its buffers): give each stage its own segmenter.
import Foundation
import Tensor

public final class CLIPSegSegmenter {
    public let model: CLIPSegModel
    public let prompts: [String]
    public let threshold: Float
    /// The prompts' conditional embeddings [P, projection_dim] (cached per checkpoint and text).
    public let promptEmbeddings: Tensor
    let conditioning: PromptConditioning
    let preprocessor: ImagePreprocessor
    /// Per-frame buffers, reused: pixel values and every intermediate of the model.
    private var pixels = Tensor(zeros: [0])
    private var workspace = CLIPSegWorkspace()

    /// Loads the model, tokenizer (vocab.json, merges.txt) and preprocessor_config.json of a
    /// checkpoint directory; `backend` picks which of transformers' resizes to reproduce.
    public convenience init(directory: URL, prompts: [String], threshold: Float = 0.5,
                            backend: PreprocessingBackend = .torchvision, precision: Precision = .float32,
                            cache: TextEmbeddingCache = TextEmbeddingCache()) throws {
        let checkpoint = try CLIPSegCheckpoint(directory: directory, backend: backend, precision: precision)
        try self.init(model: checkpoint.model, tokenizer: checkpoint.processor.tokenizer,
                      preprocessor: checkpoint.processor.makePreprocessor(),
                      prompts: prompts, threshold: threshold, cache: cache)
    }

    /// Embeds the prompts through `cache` (only texts it has not seen for this checkpoint).
    public convenience init(model: CLIPSegModel, tokenizer: CLIPTokenizer, preprocessor: ImagePreprocessor,
                            prompts: [String], threshold: Float = 0.5,
                            cache: TextEmbeddingCache = TextEmbeddingCache()) throws {
        guard !prompts.isEmpty else { throw ModelInputError("Segmentation needs at least one prompt.") }
        let embeddings = try cache.embeddings(for: prompts, checkpoint: model.checkpointID) { texts in
            try Self.embed(texts, model: model, tokenizer: tokenizer)
        }
        try self.init(model: model, preprocessor: preprocessor, prompts: prompts,
                      promptEmbeddings: embeddings, threshold: threshold)
    }

    /// Uses prompt embeddings computed elsewhere (an on-disk store, say) with `embed`.
    public init(model: CLIPSegModel, preprocessor: ImagePreprocessor, prompts: [String],
                promptEmbeddings: Tensor, threshold: Float = 0.5) throws {
        guard !prompts.isEmpty else { throw ModelInputError("Segmentation needs at least one prompt.") }
        guard threshold >= 0 && threshold <= 1 else {
            throw ModelInputError("The threshold \(threshold) is not a probability between 0 and 1.")
        }
        guard promptEmbeddings.rank == 2, promptEmbeddings.shape[0] == prompts.count else {
            throw ModelInputError("\(prompts.count) prompts need \(prompts.count) prompt embeddings, got \(promptEmbeddings.shape).")
        }
        self.model = model
        self.prompts = prompts
        self.threshold = threshold
        self.preprocessor = preprocessor
        self.promptEmbeddings = promptEmbeddings
        conditioning = try model.conditioning(promptEmbeddings)
    }

    /// The conditional embeddings [texts.count, projection_dim] of `texts`, tokenised as
    /// CLIPSegProcessor does (padded to the longest). The pooled end-of-text position is causal,
    /// so padding never changes an embedding: texts can be embedded in any grouping and cached.
    public static func embed(_ texts: [String], model: CLIPSegModel, tokenizer: CLIPTokenizer) throws -> Tensor {
        let batch = tokenizer.encodeBatch(texts, padding: .longest)
        return try model.promptEmbeddings(inputIDs: batch.ids, attentionMask: batch.attentionMask)
    }

    /// One PromptSegment per prompt for an RGB image of any size.
    public func segment(_ image: RGBImageView) throws -> [PromptSegment] {
        let size = preprocessor.outputSize(width: image.width, height: image.height)
        if pixels.shape != [1, 3, size.height, size.width] { pixels = Tensor(zeros: [1, 3, size.height, size.width]) }
        try preprocessor.preprocess(image, into: &pixels, at: 0)
        return try segment(pixelValues: pixels, sourceWidth: image.width, sourceHeight: image.height)
    }

    /// The same from preprocessed pixel values [1, 3, H, W] of a `sourceWidth` x
    /// `sourceHeight` image (the size masks and boxes refer to).
    public func segment(pixelValues: Tensor, sourceWidth: Int, sourceHeight: Int) throws -> [PromptSegment] {
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw ModelInputError("The source image is \(sourceWidth)x\(sourceHeight) pixels; segmentation needs at least 1x1.")
        }
        try model.run(pixelValues: pixelValues, conditioning: conditioning, workspace: &workspace)
        let logits = workspace.logits
        let h = logits.shape[1], w = logits.shape[2]
        // Each segment owns its map (results outlive the next frame's buffers).
        return prompts.enumerated().map { i, prompt in
            let map = Tensor(shape: [h, w], storage: Array(logits.storage[(i * h * w)..<((i + 1) * h * w)]))
            return PromptSegment(prompt: prompt, logits: map, threshold: threshold,
                           sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        }
    }
}
