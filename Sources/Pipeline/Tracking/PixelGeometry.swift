// Points, boxes and anchors in source-frame pixels (x right, y down), the coordinates every
// tracking rule is stated in. Relative coordinates (fractions of the frame) are resolved to
// pixels once, when the frame size is known, so the per-frame path compares pixels only.

public struct PixelPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) { self.x = x; self.y = y }

    static func - (a: PixelPoint, b: PixelPoint) -> PixelPoint { PixelPoint(x: a.x - b.x, y: a.y - b.y) }

    /// The z component of the cross product of two vectors: > 0 when `other` turns clockwise
    /// from `self` on screen (y points down).
    func cross(_ other: PixelPoint) -> Double { x * other.y - y * other.x }

    func dot(_ other: PixelPoint) -> Double { x * other.x + y * other.y }
}

/// [x0, y0, x1, y1] in source pixels, as detections' `box`.
public struct PixelBox: Equatable, Sendable {
    public var x0: Double, y0: Double, x1: Double, y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }

    /// From a detection's `[x0, y0, x1, y1]`; nil when it does not have four values.
    public init?(_ corners: [Float]) {
        guard corners.count == 4 else { return nil }
        self.init(x0: Double(corners[0]), y0: Double(corners[1]), x1: Double(corners[2]), y1: Double(corners[3]))
    }

    public var corners: [Float] { [Float(x0), Float(y0), Float(x1), Float(y1)] }
    public var width: Double { max(0, x1 - x0) }
    public var height: Double { max(0, y1 - y0) }
    var area: Double { width * height }
    var center: PixelPoint { PixelPoint(x: (x0 + x1) / 2, y: (y0 + y1) / 2) }

    /// Intersection over union; 0 for disjoint or empty boxes.
    public func iou(_ other: PixelBox) -> Double {
        let w = min(x1, other.x1) - max(x0, other.x0)
        let h = min(y1, other.y1) - max(y0, other.y0)
        guard w > 0, h > 0 else { return 0 }
        let intersection = w * h
        return intersection / (area + other.area - intersection)
    }

    /// The same box moved by `dx`, `dy`.
    func shifted(dx: Double, dy: Double) -> PixelBox {
        PixelBox(x0: x0 + dx, y0: y0 + dy, x1: x1 + dx, y1: y1 + dy)
    }

    /// The box grown by `factor` times its width on the left and on the right, and its height
    /// above and below.
    func grown(by factor: Double) -> PixelBox {
        let dx = width * factor, dy = height * factor
        return PixelBox(x0: x0 - dx, y0: y0 - dy, x1: x1 + dx, y1: y1 + dy)
    }

    public func point(at anchor: Anchor) -> PixelPoint {
        switch anchor {
        case .bottomCenter: return PixelPoint(x: (x0 + x1) / 2, y: y1)
        case .center: return center
        }
    }
}

/// The point of a track's box that zones and lines test: where an object stands on the ground
/// (`bottom-center`, the default) or the middle of its box (`center`, for things seen from above).
public enum Anchor: String, Equatable, CaseIterable, Sendable {
    case bottomCenter = "bottom-center"
    case center
}

/// How a zone's or line's coordinates are given in the pipeline file.
public enum CoordinateUnits: String, Equatable, CaseIterable, Sendable {
    /// Source-frame pixels.
    case pixels
    /// Fractions of the frame's width (x) and height (y).
    case relative

    func resolve(_ points: [PixelPoint], width: Int, height: Int) -> [PixelPoint] {
        switch self {
        case .pixels: return points
        case .relative: return points.map { PixelPoint(x: $0.x * Double(width), y: $0.y * Double(height)) }
        }
    }
}
