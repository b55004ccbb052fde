// What CLIPSeg says about one prompt on one image, and the masks derived from it.
//
// The statistics are taken at model resolution: CLIPSegProcessor resizes the whole frame to the
// model's square input without cropping, so every model pixel stands for the same area of the
// source frame and `coverage` is the fraction of the frame whatever its size — and it costs the
// same for a 4K frame as for a thumbnail. The source-size mask is only made when asked for.
//
// Source-size masks resample the *logits* bilinearly (torch's interpolate(mode="bilinear",
// align_corners=False): half-pixel centres, as the processor's resize used) and then apply the
// sigmoid. Interpolating logits rather than probabilities keeps the 0.5 boundary where the
// logit crosses zero, at sub-pixel precision, instead of smearing saturated probabilities.
import Foundation
import Tensor

/// A box in source-image pixels: [x0, y0) to [x1, y1), x1 and y1 exclusive.
public struct BoundingBox: Sendable, Equatable, Codable {
    public var x0: Double, y0: Double, x1: Double, y1: Double
    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }
    public var corners: [Double] { [x0, y0, x1, y1] }
}

public struct PromptSegment: Sendable {
    public let prompt: String
    /// Logits at model resolution, [H, W] (`CLIPSegImageSegmentationOutput.logits[i]`).
    public let logits: Tensor
    /// The threshold `coverage` and `boundingBox` use (probability, strictly above).
    public let threshold: Float
    /// Fraction of model-resolution pixels whose probability is above `threshold`.
    public let coverage: Float
    /// Mean probability over the model-resolution map.
    public let meanProbability: Float
    /// The pixels above `threshold`, mapped to source pixels; nil when there are none.
    public let boundingBox: BoundingBox?
    /// The source frame's size, which the bounding box and masks refer to.
    public let sourceWidth: Int
    public let sourceHeight: Int

    init(prompt: String, logits: Tensor, threshold: Float, sourceWidth: Int, sourceHeight: Int) {
        self.prompt = prompt
        self.logits = logits
        self.threshold = threshold
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        let h = logits.shape[0], w = logits.shape[1]
        var above = 0, sum: Double = 0
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        logits.withUnsafeBufferPointer { l in
            for y in 0..<h {
                for x in 0..<w {
                    let p = sigmoid(l[y * w + x])
                    sum += Double(p)
                    if p > threshold {
                        above += 1
                        minX = min(minX, x); maxX = max(maxX, x)
                        minY = min(minY, y); maxY = max(maxY, y)
                    }
                }
            }
        }
        let n = max(h * w, 1)
        coverage = Float(Double(above) / Double(n))
        meanProbability = Float(sum / Double(n))
        let sx = Double(sourceWidth) / Double(w), sy = Double(sourceHeight) / Double(h)
        boundingBox = above == 0 ? nil
            : BoundingBox(x0: Double(minX) * sx, y0: Double(minY) * sy, x1: Double(maxX + 1) * sx, y1: Double(maxY + 1) * sy)
    }

    /// Probabilities at the source size, row-major [sourceHeight * sourceWidth].
    public func probabilityMask() -> [Float] {
        var out = [Float](repeating: 0, count: sourceWidth * sourceHeight)
        probabilityMask(into: &out)
        return out
    }

    /// The same into a caller's buffer (resized when its count differs), for the per-frame path.
    public func probabilityMask(into out: inout [Float]) {
        if out.count != sourceWidth * sourceHeight { out = [Float](repeating: 0, count: sourceWidth * sourceHeight) }
        BilinearResize.resize(logits, toWidth: sourceWidth, height: sourceHeight, into: &out)
        for i in out.indices { out[i] = sigmoid(out[i]) }
    }

    /// The source-size mask as 8-bit grey levels, round(255 * probability).
    public func grayscaleMask() -> [UInt8] {
        probabilityMask().map { UInt8(($0 * 255).rounded()) }
    }
}

@inline(__always)
func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
