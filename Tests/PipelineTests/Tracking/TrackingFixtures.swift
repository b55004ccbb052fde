// Observations of one track at 10 sampled frames a second, with a 20x20 box placed so its
// anchor is where a test wants it.
@testable import Pipeline

enum TrackingFixtures {
    /// A 20x20 box whose bottom-centre is (x, y).
    static func box(bottomCenterX x: Double, y: Double) -> PixelBox {
        PixelBox(x0: x - 10, y0: y - 20, x1: x + 10, y1: y)
    }

    /// Track `id`'s observation on `frame` (pts = frame / 10) with its bottom-centre at (x, y).
    static func observation(_ frame: Int, x: Double, y: Double, id: Int = 1, label: String = "person") -> TrackObservation {
        TrackObservation(trackID: id, label: label, pts: Double(frame) / 10, score: 0.9, box: box(bottomCenterX: x, y: y))
    }
}
