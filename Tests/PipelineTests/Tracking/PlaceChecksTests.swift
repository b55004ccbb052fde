// The pipeline-file checks of zones and lines: each mistake gives its sentence, a good shape none.
import Testing
@testable import Pipeline

@Suite struct PlaceChecksTests {
    static func points(_ pairs: [(Double, Double)]) -> [PixelPoint] { pairs.map { PixelPoint(x: $0.0, y: $0.1) } }

    @Test func polygons() {
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (1, 0)])) == "has 2 points; a zone's polygon needs at least 3")
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (1, 1), (2, 2)])) == "has no area: its points lie on one line")
        // A bow tie: edge 1 (0,0)-(10,10) meets edge 3 (10,0)-(0,10) at (5,5).
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (10, 10), (10, 0), (0, 10)]))
            == "crosses itself: edge 1 (point 1 to 2) meets edge 3 (point 3 to 4); list the corners in order around the zone")
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (10, 0), (10, 10), (0, 10)])) == nil)
        // Non-convex but simple (an L), and a triangle.
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])) == nil)
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (4, 0), (0, 3)])) == nil)
        // A spike folding back along an edge touches it: a crossing.
        #expect(PlaceChecks.polygonProblem(Self.points([(0, 0), (10, 0), (10, 10), (5, 0), (0, 10)])) != nil)
    }

    @Test func linesRelativeUnitsAndNames() {
        #expect(PlaceChecks.lineProblem(start: PixelPoint(x: 5, y: 5), end: PixelPoint(x: 5, y: 5))
            == "has zero length: its two points are the same, so it has no sides")
        #expect(PlaceChecks.lineProblem(start: PixelPoint(x: 5, y: 5), end: PixelPoint(x: 5, y: 6)) == nil)
        #expect(PlaceChecks.relativeProblem(Self.points([(0, 0), (1, 1)])) == nil)
        #expect(PlaceChecks.relativeProblem(Self.points([(0, 0), (640, 0.5)]))
            == "has the point [640.0, 0.5] outside the frame: with units: relative, coordinates are fractions from 0 to 1")
        #expect(PlaceChecks.duplicateNameProblem(["door", "gate"], kind: "zone") == nil)
        let duplicate = PlaceChecks.duplicateNameProblem(["door", "gate", "door"], kind: "zone")
        #expect(duplicate?.index == 2)
        #expect(duplicate?.problem == "names a second zone 'door'; zone names must differ")
    }
}
