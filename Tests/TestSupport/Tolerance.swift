// How close a computed value must be to the reference's, stated relative to the magnitude
// checked, and the checks every test target uses.
//
// Float32 results differ from the reference's (and between BLAS kernels, backends and thread
// counts) by round-off that grows with the size of the terms summed, not with the result: a
// K-term dot product is off by at most about K * 2^-24 * sum |terms|, typically sqrt(K) times
// that step, and each layer of a network adds its share. So a model output's tolerance is a
// fraction of that output's largest |reference| value (`ofScale`), which also holds for values
// near zero (a logit near 0 is a sum of large terms that cancel). The fractions are 5-10x the
// worst error seen with OPENBLAS_CORETYPE=Haswell and unset, and never below 1e-6 (~8 float32
// steps of the scale), so another correct summation order passes too. `relative` and
// `absolute` are for quantities with a unit of their own (seconds, a share of pixels). Each
// test says in one comment why its numbers are that size.
//
// CLIPSTREAM_TOLERANCE_LOG=FILE appends one line per check (its worst error, the output's scale,
// and the share of the tolerance used): how the margins were measured.
import Foundation
import Testing

public struct Tolerance: Sendable, CustomStringConvertible {
    /// Allowed |error| in the checked quantity's own unit.
    public var absolute: Float
    /// Allowed |error| as a fraction of the largest |expected| value (ordinary values only:
    /// OWL-ViT's padded queries score the float32 minimum).
    public var ofScale: Float
    /// Allowed |error| as a fraction of each |expected| value.
    public var relative: Float

    public init(absolute: Float = 0, ofScale: Float = 0, relative: Float = 0) {
        self.absolute = absolute
        self.ofScale = ofScale
        self.relative = relative
    }

    /// Bit-for-bit equal.
    public static let exact = Tolerance()

    public static func ofScale(_ fraction: Float) -> Tolerance { Tolerance(ofScale: fraction) }

    public var description: String {
        var parts: [String] = []
        if absolute != 0 { parts.append("\(absolute)") }
        if ofScale != 0 { parts.append("\(ofScale) x max|ref|") }
        if relative != 0 { parts.append("\(relative) x |ref|") }
        return parts.isEmpty ? "0" : parts.joined(separator: " + ")
    }
}

/// The largest |expected| value below 1e30: the output's scale.
public func referenceScale<C: Collection>(_ expected: C) -> Float where C.Element == Float {
    expected.reduce(0) { abs($1) < 1e30 ? max($0, abs($1)) : $0 }
}

/// The largest absolute difference between two equally long sequences.
public func maxAbsoluteError<A: Collection, B: Collection>(_ actual: A, _ expected: B) -> Float
where A.Element == Float, B.Element == Float {
    precondition(actual.count == expected.count, "length \(actual.count) vs \(expected.count)")
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let d = abs(a - e)
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}

/// Records a test issue unless every |actual - expected| is within `tolerance`.
/// Returns the largest absolute error so tests can report it.
@discardableResult
public func expectClose<A: Collection, B: Collection>(
    _ actual: A, _ expected: B, _ tolerance: Tolerance, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) -> Float where A.Element == Float, B.Element == Float {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return .infinity
    }
    let scale = referenceScale(expected)
    let floor = tolerance.absolute + tolerance.ofScale * scale
    var worst: Float = 0, used: Float = 0
    var firstBad: (index: Int, actual: Float, expected: Float)?
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let d = a == e ? 0 : abs(a - e)  // equal infinities (masked scores) are no error
        let bound = floor + tolerance.relative * abs(e)
        if !(d <= bound) && firstBad == nil { firstBad = (i, a, e) }
        if d > worst || d.isNaN { worst = d.isNaN ? .nan : d }
        if d > 0 { used = max(used, bound > 0 ? d / bound : .infinity) }
    }
    ToleranceLog.record(what, worst: worst, scale: scale, used: used, tolerance: tolerance, sourceLocation)
    if let bad = firstBad {
        Issue.record("\(what): max |error| \(worst) > \(tolerance) (max|ref| \(scale)); first at [\(bad.index)]: \(bad.actual) vs \(bad.expected)",
                     sourceLocation: sourceLocation)
    }
    return worst
}

/// One value against its reference.
@discardableResult
public func expectClose(_ actual: Float, _ expected: Float, _ tolerance: Tolerance, _ what: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) -> Float {
    expectClose([actual], [expected], tolerance, what, sourceLocation: sourceLocation)
}

/// Records a test issue unless an error a test measured itself (e.g. relative to the sum of
/// |products| of a dot product) is at most `bound`.
public func expectError(_ error: Double, atMost bound: Double, _ what: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    ToleranceLog.record(what, worst: Float(error), scale: 1, used: Float(error / bound),
                        tolerance: Tolerance(absolute: Float(bound)), sourceLocation)
    if !(error <= bound) {
        Issue.record("\(what): error \(error) > \(bound)", sourceLocation: sourceLocation)
    }
}

/// Appends each check's worst error to $CLIPSTREAM_TOLERANCE_LOG, when set.
enum ToleranceLog {
    static let path = ProcessInfo.processInfo.environment["CLIPSTREAM_TOLERANCE_LOG"]

    static func record(_ what: String, worst: Float, scale: Float, used: Float, tolerance: Tolerance,
                       _ location: SourceLocation) {
        guard let path else { return }
        let line = "\(location.fileName):\(location.line)\t\(what)\tworst \(worst)\tscale \(scale)\t"
            + "worst/scale \(scale > 0 ? worst / scale : worst)\tused \(used)\ttolerance \(tolerance)\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }  // one O_APPEND write: lines never interleave
        close(fd)
    }
}

public extension Tolerance {
    /// A decoded frame's pts against the one ffprobe printed, both as Float seconds: ffprobe
    /// rounds to 6 decimals (5e-7 s) and each side rounds to float32 once (together at most
    /// one float32 step, 2^-23 |t|; twice that here).
    static let printedPTS = Tolerance(absolute: 5e-7, relative: 2.4e-7)
}
