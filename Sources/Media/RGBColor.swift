// Colours for annotations. A label's colour comes from a fixed hash of its text (FNV-1a, not
// Swift's per-process seeded Hasher), so "cat" is drawn in the same colour in every run.

public struct RGBColor: Sendable, Equatable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8) { self.r = r; self.g = g; self.b = b }

    public static let black = RGBColor(r: 0, g: 0, b: 0)
    public static let white = RGBColor(r: 255, g: 255, b: 255)

    public var description: String { "rgb(\(r), \(g), \(b))" }

    /// Perceived brightness 0...255 (Rec. 601 weights), to pick black or white text on top.
    public var luma: Int { (299 * Int(r) + 587 * Int(g) + 114 * Int(b)) / 1000 }

    /// A saturated, bright colour chosen by the label's hash: stable across runs and machines.
    public static func forLabel(_ label: String) -> RGBColor {
        let hash = fnv1a64(label)
        let hue = Double(hash % 360)
        return fromHSV(hue: hue, saturation: 0.8, value: 0.95)
    }

    static func fromHSV(hue: Double, saturation: Double, value: Double) -> RGBColor {
        let c = value * saturation
        let h = hue / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch Int(h) {
        case 0: (r, g, b) = (c, x, 0)
        case 1: (r, g, b) = (x, c, 0)
        case 2: (r, g, b) = (0, c, x)
        case 3: (r, g, b) = (0, x, c)
        case 4: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = value - c
        func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, ((v + m) * 255).rounded()))) }
        return RGBColor(r: byte(r), g: byte(g), b: byte(b))
    }
}

/// 64-bit FNV-1a over the UTF-8 bytes.
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}
