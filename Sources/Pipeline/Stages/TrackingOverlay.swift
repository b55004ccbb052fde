// What annotation adds when tracking runs: each zone's outline and each line, named by a tag
// at their first point, under the results; each confirmed track's id on a tag below its box,
// over them, in the label's colour like the box, so the id and the box read together.
import Media

public struct TrackingOverlay {
    private let annotator = Annotator()
    private let zones: [ZoneSpec]
    private let lines: [LineSpec]
    /// Pixel corners of each zone, and each line's two points, resolved on the first frame.
    private var polygons: [[PixelPoint]]?
    private var segments: [[PixelPoint]] = []

    public init(tracking: TrackingSpec) {
        zones = tracking.zones
        lines = tracking.lines
    }

    /// Zones and lines, drawn before the results so boxes stay on top.
    public mutating func drawPlaces(on frame: VideoFrame) {
        if polygons == nil {
            polygons = zones.map { $0.units.resolve($0.polygon, width: frame.width, height: frame.height) }
            segments = lines.map { $0.units.resolve([$0.start, $0.end], width: frame.width, height: frame.height) }
        }
        for (zone, corners) in zip(zones, polygons!) {
            draw(corners, closed: true, name: zone.name, on: frame)
        }
        for (line, points) in zip(lines, segments) {
            draw(points, closed: false, name: line.name, on: frame)
        }
    }

    /// "#id" below each track's box (above it when the box touches the bottom of the frame).
    public func drawTrackIDs(_ tracks: [FrameTrack], on frame: VideoFrame) {
        let tagHeight = annotator.tagHeight(on: frame)
        for track in tracks.lazy.map(\.observation) {
            let below = Int(track.box.y1.rounded())
            let y = below + tagHeight <= frame.height ? below : Int(track.box.y0.rounded()) - tagHeight
            annotator.drawTag(on: frame, "#\(track.trackID)", x: Int(track.box.x0.rounded()), y: max(0, y),
                              color: RGBColor.forLabel(track.label))
        }
    }

    private func draw(_ points: [PixelPoint], closed: Bool, name: String, on frame: VideoFrame) {
        let color = RGBColor.forLabel(name)
        let count = closed ? points.count : points.count - 1
        for index in 0..<count {
            let a = points[index], b = points[(index + 1) % points.count]
            annotator.drawSegment(on: frame, x0: a.x, y0: a.y, x1: b.x, y1: b.y, color: color)
        }
        annotator.drawTag(on: frame, name, x: Int(points[0].x.rounded()), y: max(0, Int(points[0].y.rounded())), color: color)
    }
}
