// From pixels to one embedding per patch, as OwlViTForObjectDetection.image_text_embedder /
// image_embedder do. CLIP's vision tower runs unchanged; what OWL-ViT does after it differs:
//   1. post_layernorm on every token, not only the class token;
//   2. each patch token multiplied element-wise by the class token ("merging" the class token
//      into the patches), the class token itself then dropped;
//   3. the detector's own layer_norm on the result.
// The output is the reference's `image_embeds` flattened to [gridSize * gridSize, D], patches
// in row-major grid order: the rows both heads read.
import Tensor

public struct OWLViTImageEncoder: Sendable {
    public let tower: CLIPVisionTransformer  // owlvit.vision_model.* (pre_layernorm, not CLIP's pre_layrnorm)
    public let mergedNorm: LayerNorm         // layer_norm.{weight,bias}

    public init(tower: CLIPVisionTransformer, mergedNorm: LayerNorm) {
        self.tower = tower
        self.mergedNorm = mergedNorm
    }

    /// pixelValues [1, C, S, S] at the config's image size -> patch embeddings [N, D].
    public func callAsFunction(_ pixelValues: Tensor) throws -> Tensor {
        var workspace = CLIPEncoderWorkspace(), patches = Tensor(zeros: [0])
        try apply(pixelValues, workspace: &workspace, into: &patches)
        return patches
    }

    /// The same with the tower's intermediates and the output kept by the caller across frames.
    public func apply(_ pixelValues: Tensor, workspace: inout CLIPEncoderWorkspace, into patches: inout Tensor) throws {
        guard pixelValues.rank == 4, pixelValues.shape[0] == 1 else {
            throw ModelInputError("OWL-ViT embeds one image at a time: pixel values [1, C, H, W], got \(pixelValues.shape).")
        }
        var tokens = try tower(pixelValues, workspace: &workspace).lastHiddenState
        let d = tokens.lastDimension, n = tokens.rowCount - 1
        tower.postLayerNorm.normalize(&tokens)
        patches.prepare(shape: [n, d])
        tokens.withUnsafeBufferPointer { t in
            patches.withUnsafeMutableBufferPointer { p in
                for i in 0..<n {
                    for j in 0..<d { p[i * d + j] = t[(i + 1) * d + j] * t[j] }
                }
            }
        }
        mergedNorm.normalize(&patches)
    }
}
