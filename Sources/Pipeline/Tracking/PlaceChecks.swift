// Checks of zones and lines the pipeline-file reader reports before any frame is decoded. Each
// returns the problem as the rest of a sentence that starts with the offending key
// (PipelineSpecError prints "file:line:column: 'zones[0].polygon' <problem>"), or nil when fine.

public enum PlaceChecks {
    /// A zone's polygon: at least 3 corners, an area, and no edge crossing another.
    public static func polygonProblem(_ points: [PixelPoint]) -> String? {
        guard points.count >= 3 else {
            return "has \(points.count) point\(points.count == 1 ? "" : "s"); a zone's polygon needs at least 3"
        }
        let n = points.count
        for i in 0..<n {
            // Edges that share a corner meet there by construction; test every other pair.
            for j in (i + 1)..<n where j != i + 1 && !(i == 0 && j == n - 1) {
                if segmentsIntersect(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n]) {
                    return "crosses itself: edge \(i + 1) (point \(i + 1) to \((i + 1) % n + 1)) meets edge \(j + 1) (point \(j + 1) to \((j + 1) % n + 1)); list the corners in order around the zone"
                }
            }
        }
        // After the crossing test: a bow tie's halves can cancel to no area.
        var doubledArea = 0.0
        for i in 0..<n { doubledArea += points[i].cross(points[(i + 1) % n]) }
        guard doubledArea != 0 else { return "has no area: its points lie on one line" }
        return nil
    }

    /// A line's two points must differ.
    public static func lineProblem(start: PixelPoint, end: PixelPoint) -> String? {
        start == end ? "has zero length: its two points are the same, so it has no sides" : nil
    }

    /// Coordinates given in `relative` units must be fractions of the frame.
    public static func relativeProblem(_ points: [PixelPoint]) -> String? {
        guard let outside = points.first(where: { !(0...1).contains($0.x) || !(0...1).contains($0.y) }) else { return nil }
        return "has the point [\(outside.x), \(outside.y)] outside the frame: with units: relative, coordinates are fractions from 0 to 1"
    }

    /// The first name used twice, as a problem of the second use; `kind` is "zone" or "line".
    public static func duplicateNameProblem(_ names: [String], kind: String) -> (index: Int, problem: String)? {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            return (index, "names a second \(kind) '\(name)'; \(kind) names must differ")
        }
        return nil
    }

    /// Whether closed segments pq and rs share a point (touching counts).
    static func segmentsIntersect(_ p: PixelPoint, _ q: PixelPoint, _ r: PixelPoint, _ s: PixelPoint) -> Bool {
        let d1 = (q - p).cross(r - p), d2 = (q - p).cross(s - p)
        let d3 = (s - r).cross(p - r), d4 = (s - r).cross(q - r)
        if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
        func onSegment(_ a: PixelPoint, _ b: PixelPoint, _ c: PixelPoint) -> Bool {
            min(a.x, b.x) <= c.x && c.x <= max(a.x, b.x) && min(a.y, b.y) <= c.y && c.y <= max(a.y, b.y)
        }
        return (d1 == 0 && onSegment(p, q, r)) || (d2 == 0 && onSegment(p, q, s))
            || (d3 == 0 && onSegment(r, s, p)) || (d4 == 0 && onSegment(r, s, q))
    }
}
