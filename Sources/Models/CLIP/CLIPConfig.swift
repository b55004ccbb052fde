// CLIP's config.json, as transformers 5.24's configuration_clip.py reads it: a text_config and
// a vision_config nested in the top-level config, every absent key taking transformers' default.
//
//   let config = try ConfigFile.decode(CLIPConfig.self, from: dir/config.json)
//   config.textConfig.hiddenSize, config.visionConfig.patchSize, config.projectionDim, ...
//
// CLIPTextConfig and CLIPVisionConfig are shared by OWL-ViT and CLIPSeg, whose defaults differ
// in a few fields: decode them with `init(from:defaults:)` and their own default values.
import Foundation
import Tensor

public struct CLIPTextConfig: Sendable, Equatable {
    public var vocabSize = 49408
    public var hiddenSize = 512
    public var intermediateSize = 2048
    public var projectionDim = 512
    public var numHiddenLayers = 12
    public var numAttentionHeads = 8
    public var maxPositionEmbeddings = 77
    public var hiddenAct = "quick_gelu"
    public var layerNormEps = 1e-5
    public var padTokenId = 1
    public var bosTokenId = 49406
    public var eosTokenId = 49407

    public init() {}
    public static let clipDefaults = CLIPTextConfig()

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case projectionDim = "projection_dim", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", maxPositionEmbeddings = "max_position_embeddings"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps", padTokenId = "pad_token_id"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
    }

    public init(from decoder: Decoder, defaults d: CLIPTextConfig) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps
        padTokenId = try c.decodeIntOrList(.padTokenId) ?? d.padTokenId
        bosTokenId = try c.decodeIntOrList(.bosTokenId) ?? d.bosTokenId
        eosTokenId = try c.decodeIntOrList(.eosTokenId) ?? d.eosTokenId
        try validateEncoder(hidden: hiddenSize, heads: numAttentionHeads, layers: numHiddenLayers,
                            intermediate: intermediateSize, act: hiddenAct, path: decoder.codingPath)
    }
}

extension CLIPTextConfig: Decodable {
    public init(from decoder: Decoder) throws { try self.init(from: decoder, defaults: .clipDefaults) }
}

public struct CLIPVisionConfig: Sendable, Equatable {
    public var hiddenSize = 768
    public var intermediateSize = 3072
    public var projectionDim = 512
    public var numHiddenLayers = 12
    public var numAttentionHeads = 12
    public var numChannels = 3
    public var imageSize = 224
    public var patchSize = 32
    public var hiddenAct = "quick_gelu"
    public var layerNormEps = 1e-5

    public init() {}
    public static let clipDefaults = CLIPVisionConfig()

    /// Patches per side at the configured image size.
    public var gridSize: Int { imageSize / patchSize }
    /// Patches plus the class token.
    public var numPositions: Int { gridSize * gridSize + 1 }

    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", projectionDim = "projection_dim"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
        case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
    }

    public init(from decoder: Decoder, defaults d: CLIPVisionConfig) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
        numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
        numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
        numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? d.numChannels
        imageSize = try c.decodeIntOrList(.imageSize) ?? d.imageSize
        patchSize = try c.decodeIntOrList(.patchSize) ?? d.patchSize
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? d.hiddenAct
        layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps
        try validateEncoder(hidden: hiddenSize, heads: numAttentionHeads, layers: numHiddenLayers,
                            intermediate: intermediateSize, act: hiddenAct, path: decoder.codingPath)
        guard imageSize <= 16384, numChannels <= 64 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.imageSize],
                debugDescription: "image_size \(imageSize) or num_channels \(numChannels) is beyond any real model (at most 16384 and 64)."))
        }
        guard patchSize > 0, imageSize >= patchSize, numChannels > 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.patchSize],
                debugDescription: "patch_size \(patchSize) does not fit image_size \(imageSize) with \(numChannels) channels."))
        }
    }
}

extension CLIPVisionConfig: Decodable {
    public init(from decoder: Decoder) throws { try self.init(from: decoder, defaults: .clipDefaults) }
}

public struct CLIPConfig: Sendable, Equatable, Decodable {
    public var textConfig = CLIPTextConfig()
    public var visionConfig = CLIPVisionConfig()
    public var projectionDim = 512
    public var logitScaleInitValue = 2.6592

    public init() {}

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config", visionConfig = "vision_config", projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
        // Older checkpoints (and transformers still) accept these; they win over the others.
        case textConfigDict = "text_config_dict", visionConfigDict = "vision_config_dict"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        textConfig = try c.decodeTower(CLIPTextConfig.self, .textConfig, legacy: .textConfigDict) ?? .clipDefaults
        visionConfig = try c.decodeTower(CLIPVisionConfig.self, .visionConfig, legacy: .visionConfigDict) ?? .clipDefaults
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        logitScaleInitValue = try c.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
    }
}

/// The checks transformers' validate_architecture makes, plus what our encoder needs.
func validateEncoder(hidden: Int, heads: Int, layers: Int, intermediate: Int, act: String,
                     path: [CodingKey]) throws {
    func bad(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: message))
    }
    guard hidden > 0, heads > 0, layers >= 0, intermediate > 0 else {
        throw bad("sizes must be positive (hidden_size \(hidden), num_attention_heads \(heads), num_hidden_layers \(layers), intermediate_size \(intermediate)).")
    }
    // Arrays are sized from these before any weight is read, so a lying config must not get
    // that far (the limits are far beyond any published checkpoint).
    guard hidden <= 1 << 16, heads <= hidden, layers <= 1024, intermediate <= 1 << 18 else {
        throw bad("sizes are beyond any real model (hidden_size \(hidden) of at most 65536, num_attention_heads \(heads), num_hidden_layers \(layers) of at most 1024, intermediate_size \(intermediate) of at most 262144).")
    }
    guard hidden % heads == 0 else {
        throw bad("hidden_size \(hidden) is not a multiple of num_attention_heads \(heads).")
    }
    guard Activation(huggingFaceName: act) != nil else {
        throw bad("hidden_act \"\(act)\" is not supported (quick_gelu, gelu, gelu_new, gelu_pytorch_tanh or relu).")
    }
}

extension KeyedDecodingContainer {
    /// A tower's config under `key`, or under the older `legacy` key (`text_config_dict`,
    /// `vision_config_dict`), which transformers still accepts and lets win; nil when neither is there.
    func decodeTower<T: Decodable>(_ type: T.Type, _ key: Key, legacy: Key) throws -> T? {
        try decodeIfPresent(type, forKey: legacy) ?? decodeIfPresent(type, forKey: key)
    }
}
