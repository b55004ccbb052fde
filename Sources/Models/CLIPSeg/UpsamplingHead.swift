// The last stage of CLIPSeg's decoder: the reduced token grid back up to pixels (one logit per
// pixel). `decoder.transposed_convolution` in transformers' CLIPSegDecoder, in its two forms:
//
//   simple  (use_complex_transposed_convolution = false; clipseg-rd64, -rd16)
//       ConvTranspose2d(rd, 1, kernel = stride = patch)
//   refined (use_complex_transposed_convolution = true; clipseg-rd64-refined)
//       Conv2d(rd, rd, 3, padding 1), ReLU, ConvTranspose2d(rd, rd / 2, patch / 4, stride patch / 4),
//       ReLU, ConvTranspose2d(rd / 2, 1, patch / 4, stride patch / 4)
import Tensor

enum UpsamplingHead: Sendable {
    case simple(TransposedConvolution)                    // decoder.transposed_convolution
    case refined(Convolution,                             // decoder.transposed_convolution.0
                 TransposedConvolution,                   // decoder.transposed_convolution.2
                 TransposedConvolution)                   // decoder.transposed_convolution.4

    /// Scratch kept between frames so the head allocates nothing once sizes settle.
    struct Buffers {
        var columns = Tensor(zeros: [0])
        var blocks = Tensor(zeros: [0])
        var first = Tensor(zeros: [0])
        var second = Tensor(zeros: [0])
    }

    /// `grid` [B, h, w, rd] (channels-last) -> `logits` [B, H, W].
    func apply(_ grid: Tensor, buffers: inout Buffers, into logits: inout Tensor) {
        switch self {
        case .simple(let up):
            up.apply(grid, blocks: &buffers.blocks, into: &logits)
        case .refined(let conv, let up1, let up2):
            conv.apply(grid, columns: &buffers.columns, into: &buffers.first)
            relu(&buffers.first)
            up1.apply(buffers.first, blocks: &buffers.blocks, into: &buffers.second)
            relu(&buffers.second)
            up2.apply(buffers.second, blocks: &buffers.blocks, into: &logits)
        }
        logits.reshape(Array(logits.shape.dropLast()))  // the single output channel
    }
}
