// OWL-ViT's config.json (model_type "owlvit"), with the defaults of transformers'
// configuration_owlvit.py (OwlViTConfig / OwlViTTextConfig / OwlViTVisionConfig) for absent keys.
// These are the google/owlvit-base-patch32 sizes; note the text defaults differ from CLIP's
// (16 positions, not 77) and so does the vision image size (768, not 224).
import Foundation
import Tensor

public struct OWLViTConfig: Codable, Sendable, Equatable {
    public var textConfig: OWLViTTextConfig
    public var visionConfig: OWLViTVisionConfig
    public var projectionDim: Int
    public var logitScaleInitValue: Float

    public init(textConfig: OWLViTTextConfig = .init(), visionConfig: OWLViTVisionConfig = .init(),
                projectionDim: Int = 512, logitScaleInitValue: Float = 2.6592) {
        self.textConfig = textConfig
        self.visionConfig = visionConfig
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config"
        case visionConfig = "vision_config"
        case projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = OWLViTConfig()
        textConfig = try c.decodeIfPresent(OWLViTTextConfig.self, forKey: .textConfig) ?? d.textConfig
        visionConfig = try c.decodeIfPresent(OWLViTVisionConfig.self, forKey: .visionConfig) ?? d.visionConfig
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
        logitScaleInitValue = try c.decodeIfPresent(Float.self, forKey: .logitScaleInitValue) ?? d.logitScaleInitValue
    }

    /// Patches per side: the detection grid, one box per patch (image_size // patch_size).
    public var gridSize: Int { visionConfig.imageSize / visionConfig.patchSize }

    /// Reads `<directory>/config.json`; every problem is one sentence naming the file.
    public static func load(from directory: URL) throws -> OWLViTConfig {
        let url = directory.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw OWLViTError("\(url.path): cannot read the model config (\(error.localizedDescription)).")
        }
        let config: OWLViTConfig
        do {
            if let type = try JSONDecoder().decode(ModelTypeProbe.self, from: data).modelType, type != "owlvit" {
                throw OWLViTError("\(url.path): model_type is \"\(type)\", not an OWL-ViT (\"owlvit\") checkpoint.")
            }
            config = try JSONDecoder().decode(OWLViTConfig.self, from: data)
        } catch let error as OWLViTError {
            throw error
        } catch {
            throw OWLViTError("\(url.path): not a valid OWL-ViT config (\(describe(decodingError: error))).")
        }
        try config.validate(file: url.path)
        return config
    }

    /// Sizes the model cannot be built from, caught before any weight is read.
    func validate(file: String) throws {
        func need(_ ok: Bool, _ what: String) throws {
            if !ok { throw OWLViTError("\(file): \(what).") }
        }
        let t = textConfig, v = visionConfig
        for (name, value) in [("text_config.hidden_size", t.hiddenSize), ("text_config.num_attention_heads", t.numAttentionHeads),
                              ("text_config.max_position_embeddings", t.maxPositionEmbeddings), ("text_config.vocab_size", t.vocabSize),
                              ("vision_config.hidden_size", v.hiddenSize), ("vision_config.num_attention_heads", v.numAttentionHeads),
                              ("vision_config.patch_size", v.patchSize), ("vision_config.image_size", v.imageSize),
                              ("vision_config.num_channels", v.numChannels), ("projection_dim", projectionDim)] {
            try need(value > 0, "\(name) must be positive, not \(value)")
        }
        try need(t.hiddenSize % t.numAttentionHeads == 0,
                 "text_config.hidden_size \(t.hiddenSize) does not split into \(t.numAttentionHeads) heads")
        try need(v.hiddenSize % v.numAttentionHeads == 0,
                 "vision_config.hidden_size \(v.hiddenSize) does not split into \(v.numAttentionHeads) heads")
        try need(v.imageSize >= v.patchSize,
                 "vision_config.image_size \(v.imageSize) is smaller than patch_size \(v.patchSize)")
        // The class head compares projected text queries with patch embeddings of the text width.
        try need(projectionDim == t.hiddenSize,
                 "projection_dim \(projectionDim) must equal text_config.hidden_size \(t.hiddenSize) for OWL-ViT's class head")
        try need(t.activation != nil, "text_config.hidden_act \"\(t.hiddenAct)\" is not supported")
        try need(v.activation != nil, "vision_config.hidden_act \"\(v.hiddenAct)\" is not supported")
    }
}

public struct OWLViTTextConfig: Codable, Sendable, Equatable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var numHiddenLayers = 12
    public var numAttentionHeads = 8
    public var maxPositionEmbeddings = 16
    public var hiddenAct = "quick_gelu"
    public var layerNormEps: Float = 1e-5
    public var padTokenId = 0
    public var bosTokenId = 49406
    public var eosTokenId = 49407

    public init() {}

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case maxPositionEmbeddings = "max_position_embeddings", hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps", padTokenId = "pad_token_id"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? maxPositionEmbeddings
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? hiddenAct
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? layerNormEps
        padTokenId = (try? c.decodeIfPresent(Int.self, forKey: .padTokenId)) ?? padTokenId
        bosTokenId = (try? c.decodeIfPresent(Int.self, forKey: .bosTokenId)) ?? bosTokenId
        eosTokenId = (try? c.decodeIfPresent(Int.self, forKey: .eosTokenId)) ?? eosTokenId
    }

    public var activation: Activation? { Activation(huggingFaceName: hiddenAct) }
}

public struct OWLViTVisionConfig: Codable, Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 768
    public var patchSize = 32
    public var hiddenAct = "quick_gelu"
    public var layerNormEps: Float = 1e-5

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? intermediateSize
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
        numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? numChannels
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? imageSize
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? patchSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? hiddenAct
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? layerNormEps
    }

    public var activation: Activation? { Activation(huggingFaceName: hiddenAct) }
}

private struct ModelTypeProbe: Decodable {
    var modelType: String?
    enum CodingKeys: String, CodingKey { case modelType = "model_type" }
}

/// "key 'x': expected Int" rather than Foundation's long debug description.
func describe(decodingError error: Error) -> String {
    guard let e = error as? DecodingError else { return error.localizedDescription }
    func path(_ p: [CodingKey]) -> String { p.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") }
    switch e {
    case .typeMismatch(let type, let ctx): return "\(path(ctx.codingPath)) should be \(type)"
    case .valueNotFound(let type, let ctx): return "\(path(ctx.codingPath)) should be \(type), not null"
    case .keyNotFound(let key, let ctx): return "missing \(path(ctx.codingPath + [key]))"
    case .dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? "not JSON" : "\(path(ctx.codingPath)) is malformed"
    @unknown default: return "\(e)"
    }
}
