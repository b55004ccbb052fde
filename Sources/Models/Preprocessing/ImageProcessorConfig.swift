// preprocessor_config.json, decoded the way transformers 5.24's image processors read it.
//
// Ports the defaults of CLIPImageProcessor (models/clip/image_processing_clip.py),
// OwlViTImageProcessor (models/owlvit/image_processing_owlvit.py) and ViTImageProcessor
// (models/vit/image_processing_vit.py, the one CLIPSegProcessor uses), and get_size_dict's
// reading of `size` / `crop_size`: an int means a square for OWL-ViT and ViT but a shortest
// edge for CLIP (`default_to_square`), and crop sizes are always squares.
import Foundation

/// Which transformers image processor class a config belongs to (its defaults differ).
public enum ImageProcessorFamily: String, Sendable, CaseIterable {
    case clip = "CLIPImageProcessor"
    case owlViT = "OwlViTImageProcessor"
    case vit = "ViTImageProcessor"

    /// The family named by `image_processor_type` / `feature_extractor_type`, as
    /// AutoImageProcessor maps them (`…FeatureExtractor` and `…Fast` / `…Pil` are the same class).
    init?(typeName: String) {
        var name = typeName
        if name.hasSuffix("FeatureExtractor") { name = String(name.dropLast(16)) + "ImageProcessor" }
        for suffix in ["Fast", "Pil"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        self.init(rawValue: name)
    }
}

/// The size `resize` produces.
public enum ResizeTarget: Equatable, Sendable {
    /// Keep the aspect ratio: the shorter side becomes `shortestEdge` (the longer one truncated),
    /// optionally capped so the longer side is at most `longestEdge`.
    case shortestEdge(Int, longestEdge: Int?)
    /// Exactly this size, aspect ratio not kept.
    case exact(height: Int, width: Int)
}

public struct ImageProcessorConfig: Equatable, Sendable {
    public var family: ImageProcessorFamily
    public var doResize: Bool
    public var size: ResizeTarget
    public var resample: ResampleFilter
    public var doCenterCrop: Bool
    public var cropSize: (height: Int, width: Int)?
    public var doRescale: Bool
    public var rescaleFactor: Double
    public var doNormalize: Bool
    public var imageMean: [Double]
    public var imageStd: [Double]

    static let openAIMean = [0.48145466, 0.4578275, 0.40821073]
    static let openAIStd = [0.26862954, 0.26130258, 0.27577711]

    /// The class defaults of `family`, as if preprocessor_config.json were `{}`.
    public init(family: ImageProcessorFamily) {
        self.family = family
        doResize = true
        doRescale = true
        rescaleFactor = 1.0 / 255.0
        doNormalize = true
        switch family {
        case .clip:
            size = .shortestEdge(224, longestEdge: nil)
            resample = .bicubic
            doCenterCrop = true
            cropSize = (224, 224)
            imageMean = Self.openAIMean
            imageStd = Self.openAIStd
        case .owlViT:
            size = .exact(height: 768, width: 768)
            resample = .bicubic
            doCenterCrop = false
            cropSize = (768, 768)
            imageMean = Self.openAIMean
            imageStd = Self.openAIStd
        case .vit:
            size = .exact(height: 224, width: 224)
            resample = .bilinear
            doCenterCrop = false
            cropSize = nil
            imageMean = [0.5, 0.5, 0.5]
            imageStd = [0.5, 0.5, 0.5]
        }
    }

    /// Whether an int `size` means a square (get_size_dict's `default_to_square`).
    var defaultToSquare: Bool { family != .clip }

    public static func == (a: Self, b: Self) -> Bool {
        a.family == b.family && a.doResize == b.doResize && a.size == b.size && a.resample == b.resample
            && a.doCenterCrop == b.doCenterCrop && a.cropSize?.height == b.cropSize?.height
            && a.cropSize?.width == b.cropSize?.width && a.doRescale == b.doRescale
            && a.rescaleFactor == b.rescaleFactor && a.doNormalize == b.doNormalize
            && a.imageMean == b.imageMean && a.imageStd == b.imageStd
    }
}

extension ImageProcessorConfig {
    /// Reads `preprocessor_config.json` at `url`. The file's `image_processor_type` (or legacy
    /// `feature_extractor_type`) picks the defaults, as AutoImageProcessor does; `family` is used
    /// when the file names neither. Every error names the file.
    public init(contentsOf url: URL, family: ImageProcessorFamily) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ImagePreprocessingError("\(url.path): cannot read the preprocessor config (\(error.localizedDescription)).")
        }
        try self.init(json: data, family: family, source: url.path)
    }

    /// Decodes preprocessor_config.json text; `source` names it in errors.
    public init(json: Data, family: ImageProcessorFamily, source: String = "preprocessor_config.json") throws {
        let raw: RawPreprocessorConfig
        do { raw = try JSONDecoder().decode(RawPreprocessorConfig.self, from: json) } catch {
            throw ImagePreprocessingError("\(source): not a valid preprocessor config (\(RawPreprocessorConfig.explain(error))).")
        }
        var chosen = family
        if let typeName = raw.image_processor_type ?? raw.feature_extractor_type {
            guard let named = ImageProcessorFamily(typeName: typeName) else {
                let known = ImageProcessorFamily.allCases.map(\.rawValue).joined(separator: ", ")
                throw ImagePreprocessingError("\(source): image processor type \(typeName) is not one ClipStream implements (\(known)).")
            }
            chosen = named
        }
        self.init(family: chosen)
        try apply(raw, source: source)
    }

    private mutating func apply(_ raw: RawPreprocessorConfig, source: String) throws {
        doResize = raw.do_resize ?? doResize
        // Early OWL-ViT configs spelled do_rescale as "rescale".
        doRescale = raw.do_rescale ?? raw.rescale ?? doRescale
        rescaleFactor = raw.rescale_factor ?? rescaleFactor
        doNormalize = raw.do_normalize ?? doNormalize
        doCenterCrop = raw.do_center_crop ?? doCenterCrop
        if let code = raw.resample {
            guard let filter = ResampleFilter(rawValue: code) else {
                throw ImagePreprocessingError("\(source): resample \(code) is not a PIL resampling filter (0...5).")
            }
            resample = filter
        }
        if let value = raw.size {
            // A default_to_square key in the file overrides the class's reading of an int size.
            let square = raw.default_to_square ?? defaultToSquare
            size = try value.resizeTarget(square: square, key: "size", source: source)
        }
        if let value = raw.crop_size {
            // get_size_dict(crop_size) always reads an int as a square.
            guard case let .exact(h, w) = try value.resizeTarget(square: true, key: "crop_size", source: source) else {
                throw ImagePreprocessingError("\(source): crop_size must give height and width.")
            }
            cropSize = (h, w)
        }
        if let mean = raw.image_mean { imageMean = try mean.perChannel(key: "image_mean", source: source) }
        if let std = raw.image_std { imageStd = try std.perChannel(key: "image_std", source: source) }
        try validate(source: source)
    }

    func validate(source: String) throws {
        if doCenterCrop && cropSize == nil {
            throw ImagePreprocessingError("\(source): do_center_crop is true but there is no crop_size.")
        }
        if imageStd.contains(0) {
            throw ImagePreprocessingError("\(source): image_std contains 0, which would divide by zero.")
        }
        let sizes: [Int]
        switch size {
        case let .shortestEdge(s, longest): sizes = [s] + (longest.map { [$0] } ?? [])
        case let .exact(h, w): sizes = [h, w]
        }
        // Buffers are sized from these; above 16384 a side is a lie, not a model input.
        let limits = 1...16384
        if let bad = sizes.first(where: { !limits.contains($0) }) {
            throw ImagePreprocessingError("\(source): size must be from 1 to 16384 pixels a side, found \(bad).")
        }
        if let bad = (cropSize.map { [$0.height, $0.width] } ?? []).first(where: { !limits.contains($0) }) {
            throw ImagePreprocessingError("\(source): crop_size must be from 1 to 16384 pixels a side, found \(bad).")
        }
    }
}
