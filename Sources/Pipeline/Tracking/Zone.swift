// Named areas of the frame and the per-track events they produce. A track's anchor is inside
// a zone when it is inside the polygon (even-odd rule). A track enters once its anchor has been
// inside on `inertia` consecutive observations, and exits once it has been outside on as many,
// so a box that jitters across the border does not enter and exit on every frame; the event's
// pts is the first of those observations (the frame the anchor first was inside or outside).
// Frames where the track was not seen do not count either way.

public struct ZoneSpec: Equatable, Sendable {
    public var name: String
    /// Corners in order, in `units`.
    public var polygon: [PixelPoint]
    public var units: CoordinateUnits
    public var anchor: Anchor
    /// Only tracks of these labels; every label when nil.
    public var labels: [String]?
    /// A `loiter` event once per stay this long; none when nil.
    public var loiterSeconds: Double?
    /// Consecutive observations on the other side of the border before the state changes.
    public var inertia: Int

    public init(name: String, polygon: [PixelPoint], units: CoordinateUnits = .pixels,
                anchor: Anchor = .bottomCenter, labels: [String]? = nil, loiterSeconds: Double? = nil,
                inertia: Int = 3) {
        self.name = name
        self.polygon = polygon
        self.units = units
        self.anchor = anchor
        self.labels = labels
        self.loiterSeconds = loiterSeconds
        self.inertia = inertia
    }
}

public struct ZoneEvent: Equatable, Sendable {
    public enum Kind: String, Sendable { case enter, exit, loiter }
    public var kind: Kind
    public var zone: String
    public var trackID: Int
    public var label: String
    public var pts: Double
    /// From `enter` to this event; nil on `enter`.
    public var dwellSeconds: Double?
}

/// A zone's polygon in pixels, with its bounding box to reject far points cheaply.
struct ResolvedPolygon {
    let points: [PixelPoint]
    let minX: Double, minY: Double, maxX: Double, maxY: Double

    init(_ points: [PixelPoint]) {
        self.points = points
        minX = points.map(\.x).min() ?? 0
        maxX = points.map(\.x).max() ?? 0
        minY = points.map(\.y).min() ?? 0
        maxY = points.map(\.y).max() ?? 0
    }

    /// Even-odd ray casting towards +x. A point exactly on a left or top edge counts as inside
    /// and on a right or bottom edge as outside, so zones that share an edge never both hold it.
    func contains(_ p: PixelPoint) -> Bool {
        guard p.x >= minX, p.x < maxX, p.y >= minY, p.y < maxY else { return false }
        var inside = false
        var j = points.count - 1
        for i in points.indices {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}

public struct ZoneMonitor {
    public let zones: [ZoneSpec]
    private let polygons: [ResolvedPolygon]

    /// Each zone's corners in pixels, in the order of `zones` (for drawing them).
    public var pixelPolygons: [[PixelPoint]] { polygons.map(\.points) }

    private struct Stay {
        var inside = false
        /// Observations in a row on the other side of the border, and the first one's time.
        var run = 0
        var runStartPTS = 0.0
        var enterPTS = 0.0
        var loitered = false
    }

    /// Per track, one state per zone.
    private var stays: [Int: [Stay]] = [:]

    /// `frameWidth` and `frameHeight` resolve zones given in relative units.
    public init(zones: [ZoneSpec], frameWidth: Int, frameHeight: Int) {
        self.zones = zones
        polygons = zones.map { ResolvedPolygon($0.units.resolve($0.polygon, width: frameWidth, height: frameHeight)) }
    }

    /// One observation of a confirmed track; appends the events it decides.
    public mutating func observe(_ observation: TrackObservation, into events: inout [ZoneEvent]) {
        let count = zones.count
        // Updated in place: one lookup, and no copy of the track's states.
        Self.observe(observation, zones: zones, polygons: polygons, events: &events,
                     states: &stays[observation.trackID, default: Array(repeating: Stay(), count: count)])
    }

    private static func observe(_ observation: TrackObservation, zones: [ZoneSpec], polygons: [ResolvedPolygon],
                                events: inout [ZoneEvent], states: inout [Stay]) {
        let pts = observation.pts
        for index in zones.indices {
            if let labels = zones[index].labels, !labels.contains(observation.label) { continue }
            let inside = polygons[index].contains(observation.box.point(at: zones[index].anchor))
            if inside == states[index].inside {
                states[index].run = 0
            } else {
                if states[index].run == 0 { states[index].runStartPTS = pts }
                states[index].run += 1
                if states[index].run >= zones[index].inertia {
                    let changedAt = states[index].runStartPTS
                    states[index].inside = inside
                    states[index].run = 0
                    if inside {
                        states[index].enterPTS = changedAt
                        states[index].loitered = false
                        events.append(ZoneEvent(kind: .enter, zone: zones[index].name, trackID: observation.trackID,
                                                label: observation.label, pts: changedAt, dwellSeconds: nil))
                    } else {
                        events.append(ZoneEvent(kind: .exit, zone: zones[index].name, trackID: observation.trackID,
                                                label: observation.label, pts: changedAt,
                                                dwellSeconds: changedAt - states[index].enterPTS))
                    }
                }
            }
            if states[index].inside, !states[index].loitered, let loiter = zones[index].loiterSeconds,
               pts - states[index].enterPTS >= loiter {
                states[index].loitered = true
                events.append(ZoneEvent(kind: .loiter, zone: zones[index].name, trackID: observation.trackID,
                                        label: observation.label, pts: pts, dwellSeconds: pts - states[index].enterPTS))
            }
        }
    }

    /// A track ended: it exits every zone it was in, at the first frame it was seen outside if
    /// it had started leaving, else at the last frame it was seen (`lastPTS`).
    public mutating func trackEnded(_ track: TrackEvent, into events: inout [ZoneEvent]) {
        guard let states = stays.removeValue(forKey: track.trackID) else { return }
        let lastPTS = track.endPTS ?? track.startPTS
        for index in zones.indices where states[index].inside {
            let exitPTS = states[index].run > 0 ? states[index].runStartPTS : lastPTS
            events.append(ZoneEvent(kind: .exit, zone: zones[index].name, trackID: track.trackID, label: track.label,
                                    pts: exitPTS, dwellSeconds: exitPTS - states[index].enterPTS))
        }
    }

}
