// Text-prompted segmentation of images and video frames with one CLIPSeg checkpoint: what
// CLIPSegProcessor + CLIPSegForImageSegmentation give, with the prompt work done once.
//
//   let segmenter = try CLIPSegSegmenter(directory: url, prompts: ["sky", "road"], threshold: 0.5)
//   let segments = try segmenter.segment(image)     // RGBImageView of any size -> one PromptSegment per prompt
//   segments[0].logits            [H, W] at model resolution
//   segments[0].coverage, .meanProbability, .boundingBox (source pixels), .probabilityMask()
//
// Prompts are tokenised and embedded when the segmenter is made, through a TextEmbeddingCache
// keyed by (checkpoint, text), and their FiLM scale and shift are computed then too. Per frame:
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

    /// Loads the model, tokenizer (vocab.json, merges.txt) and preprocessor_config.json of a
    /// checkpoint directory.
    public convenience init(directory: URL, prompts: [String], threshold: Float = 0.5,
                            cache: TextEmbeddingCache = TextEmbeddingCache()) throws {
        try self.init(model: CLIPSegModel(directory: directory),
                      tokenizer: CLIPTokenizer(directory: directory),
                      preprocessor: ImagePreprocessor(directory: directory, family: .vit),
                      prompts: prompts, threshold: threshold, cache: cache)
    }

    public init(model: CLIPSegModel, tokenizer: CLIPTokenizer, preprocessor: ImagePreprocessor,
                prompts: [String], threshold: Float = 0.5, cache: TextEmbeddingCache = TextEmbeddingCache()) throws {
        guard !prompts.isEmpty else { throw ModelInputError("Segmentation needs at least one prompt.") }
        guard threshold >= 0 && threshold <= 1 else {
            throw ModelInputError("The threshold \(threshold) is not a probability between 0 and 1.")
        }
        self.model = model
        self.prompts = prompts
        self.threshold = threshold
        self.preprocessor = preprocessor
        // CLIPSegProcessor pads the prompts to the longest; the pooled end-of-text position is
        // causal, so padding never changes an embedding and unseen prompts can be embedded apart.
        promptEmbeddings = try cache.embeddings(for: prompts, checkpoint: model.checkpointID) { texts in
            let batch = tokenizer.encodeBatch(texts, padding: .longest)
            return try model.promptEmbeddings(inputIDs: batch.ids, attentionMask: batch.attentionMask)
        }
        conditioning = try model.conditioning(promptEmbeddings)
    }

    /// One PromptSegment per prompt for an RGB image of any size.
    public func segment(_ image: RGBImageView) throws -> [PromptSegment] {
        let pixels = try preprocessor(image)
        return try segment(pixelValues: pixels, sourceWidth: image.width, sourceHeight: image.height)
    }

    /// The same from preprocessed pixel values [1, 3, H, W] of a `sourceWidth` x
    /// `sourceHeight` image (the size masks and boxes refer to).
    public func segment(pixelValues: Tensor, sourceWidth: Int, sourceHeight: Int) throws -> [PromptSegment] {
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw ModelInputError("The source image is \(sourceWidth)x\(sourceHeight) pixels; segmentation needs at least 1x1.")
        }
        let logits = try model.logits(pixelValues: pixelValues, conditioning: conditioning)
        let h = logits.shape[1], w = logits.shape[2]
        return prompts.enumerated().map { i, prompt in
            let map = Tensor(shape: [h, w], storage: Array(logits.storage[(i * h * w)..<((i + 1) * h * w)]))
            return PromptSegment(prompt: prompt, logits: map, threshold: threshold,
                           sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        }
    }
}
