// OWL-ViT's config.json (model_type "owlvit"), as transformers 5.24's configuration_owlvit.py
// reads it. The towers are CLIP's, so the sub-configs are CLIPTextConfig / CLIPVisionConfig
// decoded with OWL-ViT's defaults for absent keys: 16 text positions (not 77), pad id 0 ("!"),
// 768-pixel images (not 224) — the google/owlvit-base-patch32 sizes.
//
//   let config = try OWLViTConfig.load(from: checkpointDirectory)
//   config.gridSize   // patches per side = boxes per side
import Foundation
import Tensor

public struct OWLViTConfig: Sendable, Equatable, Decodable {
    public var textConfig: CLIPTextConfig
    public var visionConfig: CLIPVisionConfig
    public var projectionDim: Int
    public var logitScaleInitValue: Double

    public static let textDefaults: CLIPTextConfig = {
        var c = CLIPTextConfig()
        c.maxPositionEmbeddings = 16
        c.padTokenId = 0
        return c
    }()

    public static let visionDefaults: CLIPVisionConfig = {
        var c = CLIPVisionConfig()
        c.imageSize = 768
        return c
    }()

    /// OwlViTConfig() with every default, the B/32 sizes.
    public init() {
        textConfig = Self.textDefaults
        visionConfig = Self.visionDefaults
        projectionDim = 512
        logitScaleInitValue = 2.6592
    }

    enum CodingKeys: String, CodingKey {
        case textConfig = "text_config", visionConfig = "vision_config", projectionDim = "projection_dim"
        case logitScaleInitValue = "logit_scale_init_value"
    }

    private struct TextConfig: Decodable {
        let value: CLIPTextConfig
        init(from decoder: Decoder) throws { value = try CLIPTextConfig(from: decoder, defaults: OWLViTConfig.textDefaults) }
    }

    private struct VisionConfig: Decodable {
        let value: CLIPVisionConfig
        init(from decoder: Decoder) throws { value = try CLIPVisionConfig(from: decoder, defaults: OWLViTConfig.visionDefaults) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        textConfig = try c.decodeIfPresent(TextConfig.self, forKey: .textConfig)?.value ?? Self.textDefaults
        visionConfig = try c.decodeIfPresent(VisionConfig.self, forKey: .visionConfig)?.value ?? Self.visionDefaults
        projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? 512
        logitScaleInitValue = try c.decodeIfPresent(Double.self, forKey: .logitScaleInitValue) ?? 2.6592
    }

    /// Patches per side: the detection grid, one box per patch (image_size // patch_size).
    public var gridSize: Int { visionConfig.gridSize }

    /// Reads `<directory>/config.json`; every problem is one sentence naming the file.
    public static func load(from directory: URL) throws -> OWLViTConfig {
        let (config, url) = try ModelFamily.owlViT.decodeConfig(OWLViTConfig.self, in: directory)
        // The class head compares projected text queries with patch embeddings of the text width.
        guard config.projectionDim == config.textConfig.hiddenSize else {
            throw ConfigError(file: url, "has projection_dim \(config.projectionDim) but text_config.hidden_size \(config.textConfig.hiddenSize); OWL-ViT's class head needs them equal.")
        }
        guard config.projectionDim > 0 else {
            throw ConfigError(file: url, "has projection_dim \(config.projectionDim); it must be positive.")
        }
        return config
    }
}
