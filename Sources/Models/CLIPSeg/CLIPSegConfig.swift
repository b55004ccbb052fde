// config.json of a CLIPSeg checkpoint (model_type "clipseg"), with transformers' defaults
// (configuration_clipseg.py, 5.24) for absent keys. The text and vision towers are CLIP's, with
// the same keys and defaults, so their configs are CLIP's types; as in transformers,
// text_config_dict / vision_config_dict (older saves) win over text_config / vision_config.
import Foundation

public struct CLIPSegConfig: Decodable, Sendable, Equatable {
    public var textConfig: CLIPTextConfig
    public var visionConfig: CLIPVisionConfig
    public var projectionDim: Int
    /// Backbone layers (0-based) whose outputs feed the decoder, shallowest first.
    public var extractLayers: [Int]
    public var reduceDim: Int
    public var decoderNumAttentionHeads: Int
    public var decoderIntermediateSize: Int
    /// Which decoder layer (counting from the deepest activation) applies FiLM.
    public var conditionalLayer: Int
    public var useComplexTransposedConvolution: Bool

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config"
        case visionConfig = "vision_config"
        case projectionDim = "projection_dim"
        case extractLayers = "extract_layers"
        case reduceDim = "reduce_dim"
        case decoderNumAttentionHeads = "decoder_num_attention_heads"
        case decoderIntermediateSize = "decoder_intermediate_size"
        case conditionalLayer = "conditional_layer"
        case useComplexTransposedConvolution = "use_complex_transposed_convolution"
        case textConfigDict = "text_config_dict", visionConfigDict = "vision_config_dict"
    }

    /// transformers' defaults (CIDAS/clipseg-rd64 sizes).
    public init() {
        textConfig = .clipDefaults
        visionConfig = .clipDefaults
        projectionDim = 512
        extractLayers = [3, 6, 9]
        reduceDim = 64
        decoderNumAttentionHeads = 4
        decoderIntermediateSize = 2048
        conditionalLayer = 0
        useComplexTransposedConvolution = false
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        textConfig = try c.decodeTower(CLIPTextConfig.self, .textConfig, legacy: .textConfigDict) ?? .clipDefaults
        visionConfig = try c.decodeTower(CLIPVisionConfig.self, .visionConfig, legacy: .visionConfigDict) ?? .clipDefaults
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        extractLayers = try c.decodeIfPresent([Int].self, forKey: .extractLayers) ?? [3, 6, 9]
        reduceDim = try c.decodeIfPresent(Int.self, forKey: .reduceDim) ?? 64
        decoderNumAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .decoderNumAttentionHeads) ?? 4
        decoderIntermediateSize = try c.decodeIfPresent(Int.self, forKey: .decoderIntermediateSize) ?? 2048
        conditionalLayer = try c.decodeIfPresent(Int.self, forKey: .conditionalLayer) ?? 0
        useComplexTransposedConvolution =
            try c.decodeIfPresent(Bool.self, forKey: .useComplexTransposedConvolution) ?? false
    }

    /// The deepest backbone layer the decoder reads: the backbone stops after it (later layers
    /// feed only the pooled output, which segmentation never uses — verified by the fixture
    /// script tools/fixtures/clipseg.py).
    public var deepestExtractLayer: Int { extractLayers.max() ?? -1 }

    /// The problems that would make the checkpoint unusable, as sentences (empty when fine).
    func problems() -> [String] {
        var found: [String] = []
        let layers = visionConfig.numHiddenLayers
        if extractLayers.isEmpty { found.append("extract_layers is empty") }
        if let bad = extractLayers.first(where: { $0 < 0 || $0 >= layers }) {
            found.append("extract_layers has \(bad), but the vision tower has \(layers) layers")
        }
        if reduceDim <= 0 || decoderNumAttentionHeads <= 0 || reduceDim % decoderNumAttentionHeads != 0 {
            found.append("reduce_dim \(reduceDim) does not split into \(decoderNumAttentionHeads) decoder heads")
        }
        if conditionalLayer < 0 { found.append("conditional_layer is negative (\(conditionalLayer))") }
        let patch = visionConfig.patchSize
        if useComplexTransposedConvolution && (patch < 4 || reduceDim < 2) {
            found.append("the refined head needs patch_size >= 4 and reduce_dim >= 2 (have \(patch) and \(reduceDim))")
        }
        return found
    }
}
