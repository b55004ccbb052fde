// Which decoded frames a source hands on. Timestamps are never changed: a sampled frame keeps the
// index and pts it has in the source, so events stay aligned with the original video.

public enum FrameSampling: Sendable, Equatable, CustomStringConvertible {
    /// Every frame.
    case all
    /// Frames 0, n, 2n, ... by decode index.
    case everyNth(Int)
    /// At most `fps` frames per second of stream time: the first frame at or after each tick
    /// start + k / fps, where start is the first frame's pts.
    case fps(Double)

    public var description: String {
        switch self {
        case .all: return "every frame"
        case .everyNth(let n): return "every \(n)th frame"
        case .fps(let fps): return "\(fps) fps"
        }
    }

    /// Throws unless the numbers make sense (n >= 1, fps > 0 and finite).
    public func validated() throws -> FrameSampling {
        switch self {
        case .all: break
        case .everyNth(let n) where n < 1:
            throw MediaError.invalidRawParameters("frame sampling every \(n)th frame is invalid; use a whole number of at least 1.")
        case .fps(let fps) where !(fps > 0 && fps.isFinite):
            throw MediaError.invalidRawParameters("frame sampling at \(fps) fps is invalid; use a rate above 0.")
        default: break
        }
        return self
    }
}

/// The running state of a FrameSampling over one stream.
struct FrameSampler {
    let sampling: FrameSampling
    private var start: Double?
    private var nextTick = 0

    init(_ sampling: FrameSampling) { self.sampling = sampling }

    /// Decides for each decoded frame in order; call once per frame.
    mutating func accepts(index: Int, pts: Double) -> Bool {
        switch sampling {
        case .all:
            return true
        case .everyNth(let n):
            return index % n == 0
        case .fps(let fps):
            guard let start else {
                self.start = pts
                nextTick = 1
                return true
            }
            // A tolerance of a microsecond absorbs time-base rounding (1/30 s in 1/90000 ticks).
            let tick = Int(((pts - start) * fps + 1e-6).rounded(.down))
            guard tick >= nextTick else { return false }
            nextTick = tick + 1
            return true
        }
    }
}
