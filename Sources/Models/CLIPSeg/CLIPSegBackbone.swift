// CLIPSeg's frozen CLIP vision backbone, run once per frame for all prompts, up to the deepest
// layer the decoder reads.
//
// transformers' CLIPSegForImageSegmentation runs the whole vision tower once per prompt (the
// image is repeated in the batch) and then takes hidden_states[i + 1] for i in extract_layers.
// Layers after the deepest extract layer, post_layernorm and visual_projection feed only
// `pooled_output`, which the decoder never reads: tools/fixtures/clipseg.py re-randomises them
// and checks the logits do not change, so they are neither loaded nor run.
import Foundation
import Tensor

struct CLIPSegBackbone: Sendable {
    let embeddings: CLIPVisionEmbeddings   // clip.vision_model.embeddings
    let preLayerNorm: LayerNorm            // clip.vision_model.pre_layrnorm
    let encoder: CLIPEncoder               // clip.vision_model.encoder.layers.0 ... deepest extract layer
    let extractLayers: [Int]
    let patchSize: Int
    let positions: PositionTableCache

    init(weights w: WeightScope, config: CLIPSegConfig) {
        let v = config.visionConfig
        var sizes = v.encoderSizes
        sizes.layers = config.deepestExtractLayer + 1
        embeddings = CLIPVisionEmbeddings(weights: w.scope("embeddings"), config: v)
        preLayerNorm = w.layerNorm("pre_layrnorm", size: v.hiddenSize, eps: Float(v.layerNormEps))
        encoder = CLIPEncoder(weights: w.scope("encoder"), sizes: sizes)
        extractLayers = config.extractLayers
        patchSize = v.patchSize
        positions = PositionTableCache(table: embeddings.positionEmbedding)
    }

    /// Keys the backbone does not read: layers after the deepest extract layer and the pooled
    /// output's post-layernorm (`prefix` is the vision tower's, "clip.vision_model").
    static func unusedKeys(prefix: String, config: CLIPSegConfig) -> (String) -> Bool {
        let layers = "\(prefix).encoder.layers."
        let deepest = config.deepestExtractLayer
        return { key in
            if key.hasPrefix("\(prefix).post_layernorm.") { return true }
            guard key.hasPrefix(layers) else { return false }
            let index = key.dropFirst(layers.count).prefix { $0 != "." }
            return Int(index).map { $0 > deepest } ?? false
        }
    }

    /// The outputs of the extract layers for one image `pixels` [1, C, H, W] into
    /// `ws.activations` (shallowest first, each [1, 1 + rows * columns, D]); returns the grid.
    func run(_ pixels: Tensor, workspace ws: inout CLIPSegWorkspace) -> (rows: Int, columns: Int) {
        let rows = pixels.shape[2] / patchSize, columns = pixels.shape[3] / patchSize
        embeddings.apply(pixels, positions: positions.table(rows: rows, columns: columns),
                         columns: &ws.backbone.columns, patches: &ws.backbone.patches, into: &ws.hidden)
        preLayerNorm.normalize(&ws.hidden)
        if ws.activations.count != extractLayers.count {
            ws.activations = [Tensor](repeating: Tensor(zeros: [0]), count: extractLayers.count)
        }
        for (i, layer) in encoder.layers.enumerated() {
            layer.run(&ws.hidden, workspace: &ws.backbone)
            for (slot, wanted) in extractLayers.enumerated() where wanted == i {
                ws.activations[slot].copy(from: ws.hidden)
            }
        }
        return (rows, columns)
    }
}

/// Position embeddings resized per patch grid, computed once per grid size (a stream's frames
/// all have the processor's size).
final class PositionTableCache: @unchecked Sendable {  // `resized` guarded by `lock`
    private let original: Tensor
    private var resized: [[Int]: Tensor] = [:]
    private let lock = NSLock()

    init(table: Tensor) { original = table }

    func table(rows: Int, columns: Int) -> Tensor {
        lock.withLock {
            if let t = resized[[rows, columns]] { return t }
            let t = PositionEmbeddingInterpolation.resize(original, toRows: rows, columns: columns)
            resized[[rows, columns]] = t
            return t
        }
    }
}
