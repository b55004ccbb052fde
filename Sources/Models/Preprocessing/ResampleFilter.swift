// Resampling filters and the two fixed-point arithmetics that transformers' backends use.
//
// `resample` in preprocessor_config.json is a PIL filter code. The torchvision backend (the
// default when torchvision is installed) hands uint8 images to torch's antialiased
// `interpolate`, whose uint8 CPU kernels are a port of Pillow-SIMD: same separable passes and
// support widening, but int16 coefficients with a per-axis precision. The PIL backend runs
// Pillow's own Resample.c with 22-bit int32 coefficients. Both formulas are kept verbatim
// (they differ in operation order, so in the last bits of a double).
import Foundation  // sin, cos for the PIL-only windowed filters

/// PIL's filter codes (`PIL.Image.Resampling`).
public enum ResampleFilter: Int, Sendable, CaseIterable {
    case nearest = 0
    case lanczos = 1
    case bilinear = 2
    case bicubic = 3
    case box = 4
    case hamming = 5

    var name: String {
        switch self {
        case .nearest: "nearest"
        case .lanczos: "lanczos"
        case .bilinear: "bilinear"
        case .bicubic: "bicubic"
        case .box: "box"
        case .hamming: "hamming"
        }
    }
}

/// Which transformers image-processor backend to reproduce.
public enum PreprocessingBackend: String, Sendable, CaseIterable {
    /// transformers' default when torchvision is installed (`CLIPImageProcessor`, …):
    /// torch's antialiased uint8 resize with int16 coefficients.
    case torchvision
    /// `backend="pil"` (`CLIPImageProcessorPil`, …): Pillow's resize with 22-bit coefficients.
    case pil
}

/// A filter kernel as one backend evaluates it.
struct ResampleKernel {
    /// Half-width of the kernel at scale 1 (widened by the downscale factor).
    let support: Double
    let weight: (Double) -> Double

    init(_ filter: ResampleFilter, backend: PreprocessingBackend) throws {
        switch (filter, backend) {
        case (.bilinear, _):
            support = 1
            weight = Self.triangle
        case (.bicubic, .pil):
            support = 2
            weight = Self.pillowCubic
        case (.bicubic, .torchvision):
            support = 2
            weight = Self.torchCubic
        case (.box, .pil):
            support = 0.5
            weight = { x in (x > -0.5 && x <= 0.5) ? 1 : 0 }
        case (.hamming, .pil):
            support = 1
            weight = Self.pillowHamming
        case (.lanczos, .pil):
            support = 3
            weight = Self.pillowLanczos
        default:
            throw ImagePreprocessingError("resample \(filter.rawValue) (\(filter.name)) is not supported by the \(backend.rawValue) backend; use 2 (bilinear) or 3 (bicubic).")
        }
    }

    // Both backends: `if (x < 0) x = -x; if (x < 1) return 1 - x; return 0`.
    static func triangle(_ x: Double) -> Double {
        let x = abs(x)
        return x < 1 ? 1 - x : 0
    }

    // Pillow's bicubic_filter with a = -0.5.
    static func pillowCubic(_ x: Double) -> Double {
        let a = -0.5
        let x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    // torch's HelperInterpCubic::aa_filter: cubic_convolution1/2 with A = -0.5.
    static func torchCubic(_ x: Double) -> Double {
        let a = -0.5
        let x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return 0
    }

    static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let px = x * Double.pi
        return sin(px) / px
    }

    static func pillowHamming(_ x: Double) -> Double {
        let x = abs(x)
        if x == 0 { return 1 }
        if x >= 1 { return 0 }
        let px = x * Double.pi
        return sin(px) / px * (0.54 + 0.46 * cos(px))
    }

    static func pillowLanczos(_ x: Double) -> Double {
        (-3 <= x && x < 3) ? sinc(x) * sinc(x / 3) : 0
    }
}
