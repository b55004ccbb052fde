// Named segments and the crossings of them. With a, b the line's points and p a track's anchor,
// (b - a) x (p - a) > 0 on one side and < 0 on the other (pixels, y down); moving from the
// positive to the negative side is `in` (for a line drawn top to bottom: left to right).
//
// Hysteresis, so a box jittering on the line is not a crossing: an anchor counts on a side only
// when it is at least `margin` from the line (a tenth of the box's smaller side, at least one
// pixel: detector jitter grows with the box). A crossing is decided once the anchor, after being
// on one side, has been on the other side on `confirmFrames` observations without returning to
// the first side in between. Its pts is the first frame the anchor was on the new side (even if
// within the margin). It is counted only where the path met the segment itself: the chord from
// the last point on the old side to the first one on the new side must cut the segment, not
// the line beyond its ends (an object walking round the end of a gate is not through it).

public struct LineSpec: Equatable, Sendable {
    public var name: String
    /// The first point, a, and the second, b, in `units`.
    public var start: PixelPoint
    public var end: PixelPoint
    public var units: CoordinateUnits
    public var anchor: Anchor
    /// Only tracks of these labels; every label when nil.
    public var labels: [String]?

    public init(name: String, start: PixelPoint, end: PixelPoint, units: CoordinateUnits = .pixels,
                anchor: Anchor = .bottomCenter, labels: [String]? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.units = units
        self.anchor = anchor
        self.labels = labels
    }
}

public enum CrossingDirection: String, Equatable, Hashable, CaseIterable, Sendable {
    case `in`, out
}

public struct LineCrossing: Equatable, Sendable {
    public var line: String
    public var direction: CrossingDirection
    public var trackID: Int
    public var label: String
    public var pts: Double
}

public struct LineCounter {
    public let lines: [LineSpec]
    /// Observations on the new side, outside the margin, that confirm a crossing.
    public let confirmFrames: Int
    /// The margin as a fraction of the box's smaller side.
    public let marginFraction: Double
    private let segments: [Segment]

    /// Each line's two points in pixels, in the order of `lines` (for drawing them).
    public var pixelSegments: [(start: PixelPoint, end: PixelPoint)] {
        segments.map { ($0.a, PixelPoint(x: $0.a.x + $0.direction.x, y: $0.a.y + $0.direction.y)) }
    }

    /// A line in pixels: its first point, the vector to its second, and its length.
    private typealias Segment = (a: PixelPoint, direction: PixelPoint, length: Double)

    private struct Side {
        /// +1 or -1 once the anchor has been outside the margin; 0 before.
        var side = 0.0
        /// The last anchor outside the margin on `side`.
        var lastPoint = PixelPoint(x: 0, y: 0)
        /// A crossing under way: the anchor has been on the other side since `crossingPTS`
        /// without coming back, `crossingCount` times outside the margin, first at
        /// `crossingFirstPoint`.
        var crossingStarted = false
        var crossingPTS = 0.0
        var crossingFirstPoint = PixelPoint(x: 0, y: 0)
        var crossingCount = 0
    }

    private var sides: [Int: [Side]] = [:]
    /// Crossings so far: line name -> label -> direction -> count.
    public private(set) var counts: [String: [String: [CrossingDirection: Int]]] = [:]

    public init(lines: [LineSpec], frameWidth: Int, frameHeight: Int, confirmFrames: Int = 2, marginFraction: Double = 0.1) {
        self.lines = lines
        self.confirmFrames = confirmFrames
        self.marginFraction = marginFraction
        segments = lines.map { line in
            let points = line.units.resolve([line.start, line.end], width: frameWidth, height: frameHeight)
            let direction = points[1] - points[0]
            return (points[0], direction, direction.dot(direction).squareRoot())
        }
    }

    /// One observation of a confirmed track; appends the crossings it decides.
    public mutating func observe(_ observation: TrackObservation, into events: inout [LineCrossing]) {
        let count = lines.count, before = events.count
        // Updated in place: one lookup, and no copy of the track's states.
        Self.observe(observation, lines: lines, segments: segments, margin: marginFraction, confirmFrames: confirmFrames,
                     events: &events, states: &sides[observation.trackID, default: Array(repeating: Side(), count: count)])
        for crossing in events[before...] {
            counts[crossing.line, default: [:]][crossing.label, default: [:]][crossing.direction, default: 0] += 1
        }
    }

    private static func observe(_ observation: TrackObservation, lines: [LineSpec], segments: [Segment],
                                margin marginFraction: Double, confirmFrames: Int,
                                events: inout [LineCrossing], states: inout [Side]) {
        let margin = max(1, marginFraction * min(observation.box.width, observation.box.height))
        for index in lines.indices {
            if let labels = lines[index].labels, !labels.contains(observation.label) { continue }
            let segment = segments[index]
            guard segment.length > 0 else { continue }
            let p = observation.box.point(at: lines[index].anchor)
            let signed = segment.direction.cross(p - segment.a) / segment.length
            let beyond = abs(signed) >= margin
            if states[index].side == 0 {
                if beyond { states[index].side = signed > 0 ? 1 : -1; states[index].lastPoint = p }
                continue
            }
            if signed * states[index].side > 0 {
                states[index].crossingStarted = false
                states[index].crossingCount = 0
                if beyond { states[index].lastPoint = p }
                continue
            }
            guard signed != 0 else { continue }
            if !states[index].crossingStarted {
                states[index].crossingStarted = true
                states[index].crossingPTS = observation.pts
                states[index].crossingCount = 0
            }
            guard beyond else { continue }
            if states[index].crossingCount == 0 { states[index].crossingFirstPoint = p }
            states[index].crossingCount += 1
            guard states[index].crossingCount >= confirmFrames else { continue }
            if cutsSegment(from: states[index].lastPoint, to: states[index].crossingFirstPoint, segment) {
                let direction: CrossingDirection = states[index].side > 0 ? .in : .out
                events.append(LineCrossing(line: lines[index].name, direction: direction, trackID: observation.trackID,
                                           label: observation.label, pts: states[index].crossingPTS))
            }
            states[index].side = -states[index].side
            states[index].lastPoint = p
            states[index].crossingStarted = false
            states[index].crossingCount = 0
        }
    }

    /// A track ended: a crossing not yet confirmed is not counted.
    public mutating func trackEnded(_ trackID: Int) {
        sides.removeValue(forKey: trackID)
    }

    /// The number of crossings of `line` by tracks of `label` in `direction`.
    public func count(line: String, label: String, direction: CrossingDirection) -> Int {
        counts[line]?[label]?[direction] ?? 0
    }

    /// Whether the path from `p` to `q` (on opposite sides of the line) meets it between its ends.
    private static func cutsSegment(from p: PixelPoint, to q: PixelPoint, _ segment: Segment) -> Bool {
        let sp = segment.direction.cross(p - segment.a), sq = segment.direction.cross(q - segment.a)
        let t = sp / (sp - sq)
        let meet = PixelPoint(x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y))
        let along = (meet - segment.a).dot(segment.direction) / (segment.length * segment.length)
        return along >= 0 && along <= 1
    }
}
