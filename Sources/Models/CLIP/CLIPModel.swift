// CLIPModel: both towers, their projections and the logit scale. Ports CLIPModel from
// transformers 5.24's models/clip/modeling_clip.py.
//
//   let model = try CLIPModel(directory: url)             // config.json + model.safetensors
//   let t = try model.textEmbeddings(inputIDs: ids, attentionMask: mask)   // [T, P], L2-normalised
//   let i = try model.imageEmbeddings(pixelValues)        // [I, P], L2-normalised
//   let logits = model.logitsPerImage(imageEmbeddings: i, textEmbeddings: t)  // [I, T]
//   let out = try model(inputIDs:attentionMask:pixelValues:)   // everything CLIPOutput has
import Foundation
import Tensor

public struct CLIPOutput: Sendable {
    public var logitsPerImage: Tensor  // [I, T]
    public var textEmbeddings: Tensor  // [T, P], L2-normalised (CLIPOutput.text_embeds)
    public var imageEmbeddings: Tensor // [I, P], L2-normalised (CLIPOutput.image_embeds)
    public var text: CLIPTextOutput
    public var vision: CLIPVisionOutput
}

public struct CLIPModel: Sendable {
    public let config: CLIPConfig
    public let textModel: CLIPTextTransformer      // text_model.*
    public let visionModel: CLIPVisionTransformer  // vision_model.*
    public let textProjection: Linear              // text_projection.weight [P, Dt] (no bias)
    public let visualProjection: Linear            // visual_projection.weight [P, Dv] (no bias)
    public let logitScale: Float                   // logit_scale [] (log of the temperature)
    /// Identifies the weights for caches: the weight file's path, size and modification time.
    public let checkpointID: String

    /// Builds the model from `weights` and checks every key against `config` (throws
    /// WeightBindingError listing all mismatches).
    /// `precision` applies to every product of both towers; `checkpointID` (the prompt caches'
    /// key) gets the precision appended unless it is float32.
    public init(config: CLIPConfig, weights: WeightBinder, checkpointID: String? = nil,
                precision: Precision = .float32) throws {
        try requireSupported(precision)
        self.config = config
        let w = weights.scope("").computing(in: precision)
        textModel = CLIPTextTransformer(weights: w.scope("text_model"), config: config.textConfig)
        visionModel = CLIPVisionTransformer(weights: w.scope("vision_model"), config: config.visionConfig)
        let p = config.projectionDim
        textProjection = w.linear("text_projection", in: config.textConfig.hiddenSize, out: p, bias: false)
        visualProjection = w.linear("visual_projection", in: config.visionConfig.hiddenSize, out: p, bias: false)
        let scale = w.tensor("logit_scale", shape: [])
        // Checkpoints saved before transformers made position_ids non-persistent still carry them.
        weights.allowUnused { $0.hasSuffix("embeddings.position_ids") }
        try weights.finish()
        logitScale = scale.storage[0]
        self.checkpointID = precision.tagged(checkpointID ?? weights.file.url.path)
    }

    /// Loads config.json and model.safetensors from a checkpoint directory.
    public init(directory: URL, precision: Precision = .float32) throws {
        let (config, _) = try ModelFamily.clip.decodeConfig(CLIPConfig.self, in: directory)
        let weightsURL = try checkpointWeightsFile(in: directory)
        try self.init(config: config, weights: WeightBinder(contentsOf: weightsURL),
                      checkpointID: checkpointIdentity(weightsURL), precision: precision)
    }

    /// Projected, L2-normalised text embeddings [T, P].
    public func textEmbeddings(inputIDs: [[Int32]], attentionMask: [[Int32]]?) throws -> Tensor {
        let text = try textModel(inputIDs: inputIDs, attentionMask: attentionMask)
        return l2Normalized(textProjection(text.pooled))
    }

    /// Projected, L2-normalised image embeddings [I, P] for pixel values [I, C, H, W].
    public func imageEmbeddings(_ pixelValues: Tensor) throws -> Tensor {
        let vision = try visionModel(pixelValues)
        return l2Normalized(visualProjection(vision.pooled))
    }

    /// exp(logit_scale) * cosine similarity, [I, T] (CLIPOutput.logits_per_image).
    public func logitsPerImage(imageEmbeddings: Tensor, textEmbeddings: Tensor) -> Tensor {
        var logits = matmul(imageEmbeddings, textEmbeddings, transposeB: true)
        logits.scale(by: expf(logitScale))
        return logits
    }

    public func callAsFunction(inputIDs: [[Int32]], attentionMask: [[Int32]]?, pixelValues: Tensor) throws -> CLIPOutput {
        let text = try textModel(inputIDs: inputIDs, attentionMask: attentionMask)
        let vision = try visionModel(pixelValues)
        let t = l2Normalized(textProjection(text.pooled))
        let i = l2Normalized(visualProjection(vision.pooled))
        return CLIPOutput(logitsPerImage: logitsPerImage(imageEmbeddings: i, textEmbeddings: t),
                          textEmbeddings: t, imageEmbeddings: i, text: text, vision: vision)
    }
}

/// <dir>/model.safetensors, or an error naming it when it is absent.
public func checkpointWeightsFile(in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent("model.safetensors")
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw SafeTensorsError(file: url, "does not exist (ClipStream loads weights from model.safetensors).")
    }
    return url
}

/// Path, size and modification time: changes whenever the weights file is replaced.
func checkpointIdentity(_ url: URL) -> String {
    let attributes = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)
    let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
    let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    return "\(url.resolvingSymlinksInPath().path)#\(size)#\(modified)"
}
