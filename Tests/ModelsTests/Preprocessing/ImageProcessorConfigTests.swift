// preprocessor_config.json decoding: the checkpoints' real layouts, transformers' defaults per
// processor class, the forms `size` takes, and one clear error per bad file.
import Foundation
import Models
import Testing
import TestSupport

@Suite("ImageProcessorConfig")
struct ImageProcessorConfigTests {
    func decode(_ json: String, _ family: ImageProcessorFamily = .clip) throws -> ImageProcessorConfig {
        try ImageProcessorConfig(json: Data(json.utf8), family: family, source: "test.json")
    }

    func errorText(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func checkpointLayouts() throws {
        let clip = try ImageProcessorConfig(
            contentsOf: Fixtures.url("preprocess/configs/clip_default/preprocessor_config.json"), family: .vit)
        #expect(clip.family == .clip)  // from feature_extractor_type, not the fallback
        #expect(clip.size == .shortestEdge(224, longestEdge: nil))
        #expect(clip.cropSize?.height == 224 && clip.cropSize?.width == 224)
        #expect(clip.resample == .bicubic && clip.doCenterCrop && clip.doRescale && clip.doNormalize)

        let owl = try ImageProcessorConfig(
            contentsOf: Fixtures.url("preprocess/configs/owlvit_default/preprocessor_config.json"), family: .clip)
        #expect(owl.family == .owlViT)
        #expect(owl.size == .exact(height: 768, width: 768))  // an int is a square for OWL-ViT
        #expect(!owl.doCenterCrop)

        let seg = try ImageProcessorConfig(
            contentsOf: Fixtures.url("preprocess/configs/clipseg_default/preprocessor_config.json"), family: .clip)
        #expect(seg.family == .vit)
        #expect(seg.size == .exact(height: 352, width: 352))
        #expect(seg.resample == .bilinear && !seg.doCenterCrop && seg.cropSize == nil)
        #expect(seg.imageMean == [0.485, 0.456, 0.406] && seg.imageStd == [0.229, 0.224, 0.225])
        #expect(seg.rescaleFactor == 1.0 / 255.0)
    }

    @Test func emptyFileGivesTheClassDefaults() throws {
        for family in ImageProcessorFamily.allCases {
            #expect(try decode("{}", family) == ImageProcessorConfig(family: family))
        }
        let vit = ImageProcessorConfig(family: .vit)
        #expect(vit.imageMean == [0.5, 0.5, 0.5] && vit.size == .exact(height: 224, width: 224))
    }

    @Test func typeNamesAndLegacyKeys() throws {
        #expect(try decode(#"{"image_processor_type": "OwlViTImageProcessorFast"}"#).family == .owlViT)
        #expect(try decode(#"{"image_processor_type": "CLIPImageProcessorPil"}"#, .vit).family == .clip)
        #expect(try decode(#"{"feature_extractor_type": "ViTFeatureExtractor"}"#).family == .vit)
        #expect(try decode(#"{"rescale": false}"#, .owlViT).doRescale == false)
        #expect(try decode(#"{"image_mean": 0.25}"#).imageMean == [0.25, 0.25, 0.25])
    }

    @Test func sizeForms() throws {
        #expect(try decode(#"{"size": 300}"#, .clip).size == .shortestEdge(300, longestEdge: nil))
        #expect(try decode(#"{"size": 300}"#, .vit).size == .exact(height: 300, width: 300))
        #expect(try decode(#"{"size": [72, 100]}"#).size == .exact(height: 72, width: 100))
        #expect(try decode(#"{"size": {"height": 5, "width": 6}}"#).size == .exact(height: 5, width: 6))
        #expect(try decode(#"{"size": {"shortest_edge": 8, "longest_edge": 9}}"#).size
            == .shortestEdge(8, longestEdge: 9))
        // A dict with null entries, as transformers' to_dict writes SizeDict.
        #expect(try decode(#"{"size": {"height": null, "width": null, "shortest_edge": 7}}"#).size
            == .shortestEdge(7, longestEdge: nil))
        #expect(try decode(#"{"size": 300, "default_to_square": true}"#, .clip).size == .exact(height: 300, width: 300))
        #expect(try decode(#"{"size": 300, "default_to_square": false}"#, .vit).size == .shortestEdge(300, longestEdge: nil))
        let crop = try decode(#"{"crop_size": 99}"#).cropSize  // always a square
        #expect(crop?.height == 99 && crop?.width == 99)
    }

    @Test func badFilesNameTheFileAndTheProblem() throws {
        #expect(errorText { _ = try decode("{not json") }.hasPrefix("test.json: not a valid preprocessor config"))
        #expect(errorText { _ = try decode(#"{"size": {"max_height": 5, "max_width": 5}}"#) }
            == "test.json: size with keys {max_height, max_width} is not supported; use {height, width} or {shortest_edge} (optionally with longest_edge).")
        #expect(errorText { _ = try decode(#"{"resample": 9}"#) }
            == "test.json: resample 9 is not a PIL resampling filter (0...5).")
        #expect(errorText { _ = try decode(#"{"image_std": [0.2, 0.3]}"#) }
            == "test.json: image_std has 2 values; RGB images need 3.")
        #expect(errorText { _ = try decode(#"{"image_std": [0.2, 0, 0.3]}"#) }
            == "test.json: image_std contains 0, which would divide by zero.")
        #expect(errorText { _ = try decode(#"{"do_center_crop": true}"#, .vit) }
            == "test.json: do_center_crop is true but there is no crop_size.")
        #expect(errorText { _ = try decode(#"{"size": 0}"#) } == "test.json: size must be from 1 to 16384 pixels a side, found 0.")
        #expect(errorText { _ = try decode(#"{"crop_size": 100000}"#) }
            == "test.json: crop_size must be from 1 to 16384 pixels a side, found 100000.")
        #expect(errorText { _ = try decode(#"{"image_processor_type": "SiglipImageProcessor"}"#) }
            == "test.json: image processor type SiglipImageProcessor is not one ClipStream implements (CLIPImageProcessor, OwlViTImageProcessor, ViTImageProcessor).")
        #expect(errorText { _ = try decode(#"{"do_resize": "yes"}"#) }.contains("do_resize"))

        let missing = URL(fileURLWithPath: "/nonexistent/checkpoint")
        let text = errorText { _ = try ImagePreprocessor(directory: missing, family: .clip) }
        #expect(text.hasPrefix("/nonexistent/checkpoint/preprocessor_config.json: cannot read the preprocessor config"))
    }

    @Test func filtersTheTorchvisionBackendLacks() throws {
        let lanczos = try decode(#"{"resample": 1}"#)
        #expect(errorText { _ = try ImagePreprocessor(config: lanczos, backend: .torchvision) }
            == "resample 1 (lanczos) is not supported by the torchvision backend; use 2 (bilinear) or 3 (bicubic).")
        _ = try ImagePreprocessor(config: lanczos, backend: .pil)
        // Without a resize the filter is never used, so it is not an error.
        var noResize = lanczos
        noResize.doResize = false
        _ = try ImagePreprocessor(config: noResize, backend: .torchvision)
    }
}
