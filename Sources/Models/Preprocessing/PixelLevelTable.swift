// Rescale and normalise as a lookup: after resize and crop every channel value is one of 256
// levels, so pixel_values are table[channel][level], computed once with each backend's exact
// float operations.
//
// torchvision backend (TorchvisionBackend.rescale_and_normalize): rescale is fused into the
// normalisation: mean' = float32(mean) * float32(1 / rescale_factor) (a float32 tensor times a
// Python scalar), likewise std', then (float32(level) - mean') / std' in float32.
// PIL backend (PilBackend.rescale, .normalize): float32(level * rescale_factor) computed in
// float64, then (x - float32(mean)) / float32(std) in float32.

struct PixelLevelTable {
    /// 3 * 256 values, channel-major.
    let values: [Float]

    init(config: ImageProcessorConfig, backend: PreprocessingBackend) {
        var values = [Float](repeating: 0, count: 3 * 256)
        for c in 0..<3 {
            for level in 0..<256 {
                values[c * 256 + level] = Self.value(level, channel: c, config: config, backend: backend)
            }
        }
        self.values = values
    }

    private static func value(_ level: Int, channel c: Int, config: ImageProcessorConfig,
                              backend: PreprocessingBackend) -> Float {
        let mean = Float(config.imageMean[c]), std = Float(config.imageStd[c])
        switch (backend, config.doRescale, config.doNormalize) {
        case (.torchvision, true, true):
            let inverse = Float(1.0 / config.rescaleFactor)
            return (Float(level) - mean * inverse) / (std * inverse)
        case (.torchvision, true, false):
            return Float(level) * Float(config.rescaleFactor)
        case (.pil, true, true):
            return (Float(Double(level) * config.rescaleFactor) - mean) / std
        case (.pil, true, false):
            return Float(Double(level) * config.rescaleFactor)
        case (_, false, true):
            return (Float(level) - mean) / std
        case (_, false, false):
            return Float(level)
        }
    }
}
