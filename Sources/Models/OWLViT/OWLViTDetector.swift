// OWL-ViT (v1) open-vocabulary detection from a Hugging Face checkpoint directory, exact to
// transformers 5.24's OwlViTForObjectDetection + OwlViTProcessor +
// post_process_object_detection (models/owlvit/modeling_owlvit.py, processing_owlvit.py,
// image_processing_owlvit.py).
//
//   let detector = try OWLViTDetector(directory: url)
//   let queries = try detector.queries(["a cat", "a remote control"])   // encoded once, cached
//   let found = try detector.detect(image, queries: queries, options: .init(threshold: 0.1))
//   found[i].label (index into the queries), .score, .box (x0, y0, x1, y1 in source pixels)
//
// Per frame only the vision tower and the two heads run; query embeddings are reused.
import Foundation
import Tensor

/// What the model predicts for one image before post-processing.
public struct OWLViTPrediction: Sendable {
    /// [N, Q]: per patch and query, the class head's logit.
    public var logits: Tensor
    /// [N, 4]: per patch, (cx, cy, w, h) relative to the image.
    public var boxes: Tensor
    /// [N, D]: the patch embeddings both heads read (the reference's image_embeds).
    public var patches: Tensor
}

public final class OWLViTDetector: @unchecked Sendable {  // the preprocessor is guarded by `lock`
    public let directory: URL
    public let config: OWLViTConfig
    public let imageEncoder: OWLViTImageEncoder
    public let queryEncoder: OWLViTQueryEncoder
    public let classHead: OWLViTClassHead  // class_head.*
    public let boxHead: OWLViTBoxHead      // box_head.*
    // Per-frame state reused across detect calls (one frame at a time, under `lock`).
    private let preprocessor: ImagePreprocessor
    private var workspace = CLIPEncoderWorkspace()
    private var pixels = Tensor(zeros: [0])
    private var patches = Tensor(zeros: [0])
    private var heads = OWLViTHeadsWorkspace()
    private var logits = Tensor(zeros: [0])
    private var boxes = Tensor(zeros: [0])
    private let lock = NSLock()

    /// Loads config.json, model.safetensors, the tokenizer files and preprocessor_config.json.
    /// Every missing, unexpected or mis-shaped weight is reported in one error.
    /// `cache` may be shared with other models and stages (entries are per checkpoint);
    /// `backend` picks the resize of transformers' torchvision (default) or PIL processors.
    public init(directory: URL, cache: TextEmbeddingCache = TextEmbeddingCache(),
                backend: PreprocessingBackend = .torchvision, precision: Precision = .float32) throws {
        try requireSupported(precision)
        self.directory = directory
        config = try OWLViTConfig.load(from: directory)
        let weightsURL = try checkpointWeightsFile(in: directory)
        let binder = try WeightBinder(contentsOf: weightsURL)
        // `precision` applies to every product: both towers and the heads.
        let owlvit = binder.scope("owlvit").computing(in: precision)
        let text = config.textConfig, vision = config.visionConfig
        let tower = CLIPVisionTransformer(weights: owlvit.scope("vision_model"), config: vision,
                                          preLayerNormKey: "pre_layernorm")
        imageEncoder = OWLViTImageEncoder(
            tower: tower, mergedNorm: binder.scope("").layerNorm("layer_norm", size: vision.hiddenSize,
                                                                eps: Float(vision.layerNormEps)))
        let textTower = CLIPTextTransformer(weights: owlvit.scope("text_model"), config: text)
        let projection = owlvit.linear("text_projection", in: text.hiddenSize, out: config.projectionDim, bias: false)
        classHead = OWLViTClassHead(weights: binder.scope("class_head").computing(in: precision), config: config)
        boxHead = OWLViTBoxHead(weights: binder.scope("box_head").computing(in: precision), config: config)
        // Detection never reads the image-text similarity parts of OwlViTModel; older saves
        // also carry position_ids buffers.
        binder.allowUnused { ["owlvit.visual_projection.weight", "owlvit.logit_scale"].contains($0) }
        binder.allowUnused { $0.hasSuffix(".position_ids") || $0 == "box_bias" }
        try binder.finish()
        let tokenizer = try CLIPTokenizer(directory: directory)
        queryEncoder = OWLViTQueryEncoder(tower: textTower, projection: projection, tokenizer: tokenizer,
                                          cache: cache,
                                          checkpointID: precision.tagged("owlvit:" + checkpointIdentity(weightsURL)))
        preprocessor = try ImagePreprocessor(directory: directory, family: .owlViT, backend: backend)
    }

    /// Embeds the query texts (each text once per detector; later calls hit the cache).
    public func queries(_ texts: [String]) throws -> OWLViTQueries {
        try queryEncoder.encode(texts)
    }

    /// pixel_values [1, C, S, S] -> logits, boxes and patch embeddings.
    public func predict(pixelValues: Tensor, queries: OWLViTQueries) throws -> OWLViTPrediction {
        guard queries.count > 0 else {
            throw OWLViTError("no queries: OWL-ViT needs at least one text query to detect.")
        }
        let patches = try imageEncoder(pixelValues)
        return OWLViTPrediction(logits: classHead(patches, queries: queries.embeddings, queryMask: queries.mask),
                                boxes: boxHead(patches), patches: patches)
    }

    /// The processor's pixel_values for an image: resized to the model's square input.
    public func pixelValues(_ image: RGBImageView) throws -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        return try preprocessor(image)
    }

    /// Boxes for `queries` in `image`, in source-image pixels, as post_process_object_detection
    /// with target_sizes = the image's (height, width). The preprocessor's and the vision
    /// tower's buffers are reused from frame to frame.
    public func detect(_ image: RGBImageView, queries: OWLViTQueries,
                       options: DetectionOptions = .init()) throws -> [OWLViTDetection] {
        try options.validate()
        guard queries.count > 0 else {
            throw OWLViTError("no queries: OWL-ViT needs at least one text query to detect.")
        }
        let (logits, boxes): (Tensor, Tensor) = try lock.withLock {
            let size = preprocessor.outputSize(width: image.width, height: image.height)
            pixels.prepare(shape: [1, 3, size.height, size.width])
            try preprocessor.preprocess(image, into: &pixels, at: 0)
            try imageEncoder.apply(pixels, workspace: &workspace, into: &patches)
            classHead.apply(patches, queries: queries.embeddings, queryMask: queries.mask, workspace: &heads,
                            into: &self.logits)
            boxHead.apply(patches, workspace: &heads, into: &self.boxes)
            return (self.logits, self.boxes)
        }
        return try postProcessDetections(logits: logits, boxes: boxes, width: image.width, height: image.height,
                                         options: options)
    }
}
