// Everything one frame's pass through CLIPSeg writes, kept between frames: a stream of
// same-sized frames with the same prompts allocates nothing in the model after the first.
// Buffers whose batch differs (the image alone before FiLM, the prompts after) are kept apart
// so no buffer changes size from one step to the next.
import Tensor

struct CLIPSegWorkspace {
    var backbone = CLIPEncoderWorkspace()
    var hidden = Tensor(zeros: [0])                 // backbone tokens [1, T, D]
    var activations: [Tensor] = []                  // extract-layer outputs, extract_layers order
    var reduced = Tensor(zeros: [0])                // one reduced activation [1, T, rd]
    var shared = Tensor(zeros: [0])                 // decoder tokens before FiLM [1, T, rd]
    var sharedLayer = CLIPEncoderWorkspace()
    var tokens = Tensor(zeros: [0])                 // decoder tokens from FiLM on [P, T, rd]
    var tokensLayer = CLIPEncoderWorkspace()
    var grid = Tensor(zeros: [0])                   // [P, rows, columns, rd]
    var head = UpsamplingHead.Buffers()
    var logits = Tensor(zeros: [0])                 // [P, H, W]

    init() {}
}

extension Tensor {
    /// Makes this tensor a copy of `source` (shape and values), reusing its storage.
    mutating func copy(from source: Tensor) {
        prepare(shape: source.shape)
        withUnsafeMutableBufferPointer { dst in
            source.withUnsafeBufferPointer { src in
                if let d = dst.baseAddress, let s = src.baseAddress { d.update(from: s, count: src.count) }
            }
        }
    }
}
