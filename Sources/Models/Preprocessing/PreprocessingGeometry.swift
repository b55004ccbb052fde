// Where every output pixel comes from: the resize target size, and the center crop (or
// zero padding) as an offset into the resized image.
//
// Ports get_resize_output_image_size / get_size_with_aspect_ratio (image_transforms.py) and the
// two center crops, which differ when the crop is larger than the image: TorchvisionBackend
// pads floor(d / 2) before and crops from int((H - h) / 2.0); the PIL backend's numpy
// center_crop pads ceil(d / 2) before.

struct PreprocessingGeometry: Equatable {
    /// The size `resize` produces (the source size when do_resize is false).
    let resizedHeight: Int, resizedWidth: Int
    /// The size of pixel_values.
    let outputHeight: Int, outputWidth: Int
    /// Output pixel (y, x) is resized pixel (y + offsetY, x + offsetX), or padding (level 0)
    /// when that lies outside the resized image.
    let offsetY: Int, offsetX: Int

    init(sourceHeight: Int, sourceWidth: Int, config: ImageProcessorConfig, backend: PreprocessingBackend) {
        if config.doResize {
            (resizedHeight, resizedWidth) = Self.resizedSize(
                height: sourceHeight, width: sourceWidth, target: config.size)
        } else {
            (resizedHeight, resizedWidth) = (sourceHeight, sourceWidth)
        }
        if config.doCenterCrop, let crop = config.cropSize {
            (outputHeight, outputWidth) = crop
            offsetY = Self.cropOffset(resizedHeight, crop.height, backend: backend)
            offsetX = Self.cropOffset(resizedWidth, crop.width, backend: backend)
        } else {
            (outputHeight, outputWidth) = (resizedHeight, resizedWidth)
            offsetY = 0
            offsetX = 0
        }
    }

    /// The rows and columns of the resized image that the output keeps.
    var keptRows: Range<Int> { Self.kept(offsetY, outputHeight, resizedHeight) }
    var keptColumns: Range<Int> { Self.kept(offsetX, outputWidth, resizedWidth) }

    private static func kept(_ offset: Int, _ output: Int, _ resized: Int) -> Range<Int> {
        let low = max(0, offset), high = min(resized, offset + output)
        return low < high ? low..<high : 0..<0
    }

    private static func cropOffset(_ length: Int, _ crop: Int, backend: PreprocessingBackend) -> Int {
        if length >= crop { return (length - crop) / 2 }
        let padding = crop - length
        switch backend {
        case .torchvision: return -(padding / 2)
        case .pil: return -((padding + 1) / 2)
        }
    }

    static func resizedSize(height: Int, width: Int, target: ResizeTarget) -> (Int, Int) {
        switch target {
        case let .exact(h, w):
            return (h, w)
        case let .shortestEdge(size, nil):
            // get_resize_output_image_size(default_to_square=False): the long side is
            // int(size * long / short), a float division truncated.
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(size * long) / Double(short))
            return width <= height ? (newLong, size) : (size, newLong)
        case let .shortestEdge(size, longest?):
            return sizeWithAspectRatio(height: height, width: width, size: size, maxSize: longest)
        }
    }

    // get_size_with_aspect_ratio(image_size, size, max_size).
    private static func sizeWithAspectRatio(height: Int, width: Int, size: Int, maxSize: Int) -> (Int, Int) {
        var size = size
        var rawSize: Double?
        let minOriginal = Double(min(height, width)), maxOriginal = Double(max(height, width))
        if maxOriginal / minOriginal * Double(size) > Double(maxSize) {
            let raw = Double(maxSize) * minOriginal / maxOriginal
            rawSize = raw
            size = Int(raw.rounded(.toNearestOrEven))  // Python round()
        }
        if (height <= width && height == size) || (width <= height && width == size) {
            return (height, width)
        }
        if width < height {
            let h = rawSize.map { Int($0 * Double(height) / Double(width)) }
                ?? Int(Double(size * height) / Double(width))
            return (h, size)
        }
        let w = rawSize.map { Int($0 * Double(width) / Double(height)) }
            ?? Int(Double(size * width) / Double(height))
        return (size, w)
    }
}
