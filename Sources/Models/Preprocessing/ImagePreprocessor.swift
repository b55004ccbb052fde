// pixel_values for CLIP, OWL-ViT and CLIPSeg, identical to transformers 5.24's image
// processors: resize (antialiased, the config's filter), center crop or pad, rescale,
// normalise, channel-major.
//
// The default backend reproduces what `CLIPProcessor.from_pretrained(dir)` (and OwlViTProcessor,
// CLIPSegProcessor) build when torchvision is installed — TorchvisionBackend classes, whose
// resize is torch's uint8 antialiased interpolate. `.pil` reproduces `backend="pil"`.
//
// Per frame nothing is recomputed that depends only on sizes: resize coefficients are cached
// per (input, output) length and the uint8 scratch buffers only grow. Only the rows and
// columns that survive the center crop are resampled. An instance is not thread-safe; give
// each stage its own.
import Foundation
import Tensor


public final class ImagePreprocessor {
    public let config: ImageProcessorConfig
    public let backend: PreprocessingBackend

    private let kernel: ResampleKernel
    private let levels: PixelLevelTable
    private var horizontalWeights = ResampleWeightsCache()
    private var verticalWeights = ResampleWeightsCache()
    private var band: [UInt8] = []     // horizontal pass output, the rows the vertical pass reads
    private var window: [UInt8] = []   // resized pixels the crop keeps, packed RGB
    private var sums: [Int32] = []     // one row of vertical-pass accumulators
    private var block: [UInt8] = []    // 8 interleaved input rows for the horizontal pass

    public init(config: ImageProcessorConfig, backend: PreprocessingBackend = .torchvision) throws {
        try config.validate(source: "image processor config")
        self.config = config
        self.backend = backend
        // Only a resize needs a kernel; an unsupported filter is an error only then.
        self.kernel = config.doResize
            ? try ResampleKernel(config.resample, backend: backend)
            : try ResampleKernel(.bilinear, backend: backend)
        self.levels = PixelLevelTable(config: config, backend: backend)
    }

    /// Reads `preprocessor_config.json` from a checkpoint directory.
    public convenience init(directory: URL, family: ImageProcessorFamily,
                            backend: PreprocessingBackend = .torchvision) throws {
        let url = directory.appendingPathComponent("preprocessor_config.json")
        let config = try ImageProcessorConfig(contentsOf: url, family: family)
        do { try self.init(config: config, backend: backend) } catch let error as ImagePreprocessingError {
            throw ImagePreprocessingError("\(url.path): \(error.description)")
        }
    }

    /// The [height, width] of pixel_values for a source of this size.
    public func outputSize(width: Int, height: Int) -> (height: Int, width: Int) {
        let g = PreprocessingGeometry(sourceHeight: height, sourceWidth: width, config: config, backend: backend)
        return (g.outputHeight, g.outputWidth)
    }

    /// pixel_values as a new [1, 3, H, W] tensor.
    public func callAsFunction(_ image: RGBImageView) throws -> Tensor {
        let size = outputSize(width: image.width, height: image.height)
        var tensor = Tensor(zeros: [1, 3, size.height, size.width])
        try preprocess(image, into: &tensor, at: 0)
        return tensor
    }

    /// Writes pixel_values into item `index` of a caller's [N, 3, H, W] tensor (for batching
    /// frames without a copy). Throws if the tensor's shape does not fit this image.
    public func preprocess(_ image: RGBImageView, into tensor: inout Tensor, at index: Int) throws {
        let g = PreprocessingGeometry(sourceHeight: image.height, sourceWidth: image.width,
                                      config: config, backend: backend)
        let shape = tensor.shape
        guard shape.count == 4, shape[1] == 3, shape[2] == g.outputHeight, shape[3] == g.outputWidth,
              (0..<shape[0]).contains(index) else {
            throw ImagePreprocessingError("pixel_values tensor of shape \(shape) cannot hold item \(index) of shape [3, \(g.outputHeight), \(g.outputWidth)].")
        }
        guard g.resizedHeight > 0, g.resizedWidth > 0 else {
            throw ImagePreprocessingError("a \(image.width)x\(image.height) image resizes to \(g.resizedWidth)x\(g.resizedHeight); it is too small for this preprocessor.")
        }
        let plane = g.outputHeight * g.outputWidth
        tensor.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress! + index * 3 * plane
            withKeptPixels(image, g) { pixels, stride in
                write(pixels, stride: stride, geometry: g, to: base)
            }
        }
    }

    /// Calls `body` with the resized pixels the crop keeps (row 0 = resized row
    /// keptRows.lowerBound, column 0 = keptColumns.lowerBound), borrowing the source when no
    /// resampling is needed.
    private func withKeptPixels(_ image: RGBImageView, _ g: PreprocessingGeometry,
                                _ body: (UnsafePointer<UInt8>?, Int) -> Void) {
        let rows = g.keptRows, columns = g.keptColumns
        if rows.isEmpty || columns.isEmpty { return body(nil, 0) }
        let horizontal = g.resizedWidth != image.width
        let vertical = g.resizedHeight != image.height
        if !horizontal && !vertical {
            return body(image.row(rows.lowerBound) + columns.lowerBound * 3, image.bytesPerRow)
        }
        let windowStride = columns.count * 3
        grow(&window, to: rows.count * windowStride)
        let sumCount = max(image.width, g.resizedWidth) * 3  // the widest row a vertical pass sees
        if sums.count < sumCount { sums = [Int32](repeating: 0, count: sumCount) }
        grow(&block, to: 8 * 3 * image.width)
        block.withUnsafeMutableBufferPointer { blockBuffer in
        sums.withUnsafeMutableBufferPointer { sumsBuffer in
        window.withUnsafeMutableBufferPointer { windowBuffer in
            let windowBase = windowBuffer.baseAddress!
            let hWeights = horizontal ? horizontalWeights.weights(
                input: image.width, output: g.resizedWidth, kernel: kernel, backend: backend) : nil
            let vWeights = vertical ? verticalWeights.weights(
                input: image.height, output: g.resizedHeight, kernel: kernel, backend: backend) : nil
            switch (hWeights, vWeights) {
            case let (h?, nil):
                Resampler.horizontal(src: image.row(0), srcStride: image.bytesPerRow, rows: rows, columns: columns,
                                     weights: h, dst: windowBase, dstStride: windowStride, block: blockBuffer)
            case let (nil, v?):
                Resampler.vertical(src: image.row(0) + columns.lowerBound * 3, srcStride: image.bytesPerRow,
                                   srcFirstRow: 0, rows: rows, width: columns.count,
                                   weights: v, dst: windowBase, dstStride: windowStride, accumulator: sumsBuffer)
            case let (h?, v?) where verticalFirst(image, g):
                let needed = h.inputSpan(of: columns)
                grow(&band, to: rows.count * needed.count * 3)
                band.withUnsafeMutableBufferPointer { bandBuffer in
                    Resampler.vertical(src: image.row(0) + needed.lowerBound * 3, srcStride: image.bytesPerRow,
                                       srcFirstRow: 0, rows: rows, width: needed.count,
                                       weights: v, dst: bandBuffer.baseAddress!, dstStride: needed.count * 3,
                                       accumulator: sumsBuffer)
                    Resampler.horizontal(src: bandBuffer.baseAddress!, srcStride: needed.count * 3,
                                         srcFirstColumn: needed.lowerBound, rows: 0..<rows.count,
                                         columns: columns, weights: h, dst: windowBase, dstStride: windowStride, block: blockBuffer)
                }
            case let (h?, v?):
                let needed = v.inputSpan(of: rows)
                grow(&band, to: needed.count * windowStride)
                band.withUnsafeMutableBufferPointer { bandBuffer in
                    Resampler.horizontal(src: image.row(0), srcStride: image.bytesPerRow, rows: needed,
                                         columns: columns, weights: h, dst: bandBuffer.baseAddress!,
                                         dstStride: windowStride, block: blockBuffer)
                    Resampler.vertical(src: bandBuffer.baseAddress!, srcStride: windowStride,
                                       srcFirstRow: needed.lowerBound, rows: rows, width: columns.count,
                                       weights: v, dst: windowBase, dstStride: windowStride,
                                       accumulator: sumsBuffer)
                }
            case (nil, nil):
                break
            }
            body(windowBase, windowStride)
        }
        }
        }
    }

    /// Pillow 13 runs the vertical pass first when the image shrinks vertically by more than
    /// twice what it loses horizontally, in pixels (the order changes the rounded intermediate).
    /// Pillow does not document this; tools/check_resample_order.py confirms the rule on random
    /// size pairs for every filter, and that torch's kernels always go horizontal first.
    private func verticalFirst(_ image: RGBImageView, _ g: PreprocessingGeometry) -> Bool {
        backend == .pil && g.resizedHeight < image.height
            && 2 * (image.width - g.resizedWidth) < image.height - g.resizedHeight
    }

    /// Output pixel (y, x) <- kept pixel (y + offsetY - rows.lowerBound, ...) or padding,
    /// through the level table, into three channel planes.
    private func write(_ pixels: UnsafePointer<UInt8>?, stride: Int, geometry g: PreprocessingGeometry,
                       to base: UnsafeMutablePointer<Float>) {
        let rows = g.keptRows, columns = g.keptColumns
        let plane = g.outputHeight * g.outputWidth
        levels.values.withUnsafeBufferPointer { table in
            let red = table.baseAddress!, green = red + 256, blue = red + 512
            for y in 0..<g.outputHeight {
                let r = y + g.offsetY
                let rowInside = pixels != nil && rows.contains(r)
                let source = rowInside ? pixels! + (r - rows.lowerBound) * stride : nil
                for x in 0..<g.outputWidth {
                    let c = x + g.offsetX
                    let i = y * g.outputWidth + x
                    if let source, columns.contains(c) {
                        let p = source + (c - columns.lowerBound) * 3
                        base[i] = red[Int(p[0])]
                        base[plane + i] = green[Int(p[1])]
                        base[2 * plane + i] = blue[Int(p[2])]
                    } else {
                        base[i] = red[0]
                        base[plane + i] = green[0]
                        base[2 * plane + i] = blue[0]
                    }
                }
            }
        }
    }

    private func grow(_ buffer: inout [UInt8], to count: Int) {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
    }
}
