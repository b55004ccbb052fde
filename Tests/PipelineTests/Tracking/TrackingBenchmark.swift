// Cost per frame of tracking, 2 zones and 2 lines with 50 boxes a frame (5 labels x 10 moving
// objects in 1280x720). A measurement, not a check: it runs only with CLIPSTREAM_BENCH=1 and
// prints its figure (docs/tracking.md says how to reproduce it).
import Foundation
import Testing
@testable import Pipeline

@Suite struct TrackingBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CLIPSTREAM_BENCH"] == "1"))
    func perFrameCostWith50Boxes() {
        let frames = 3000, warmup = 300
        // Objects bounce around the frame at 50-250 px/s with up to 1 px of jitter, so tracks
        // cross lines, enter and leave zones; a fixed generator keeps every run the same.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        let labels = ["person", "car", "bicycle", "dog", "red circle"]
        var objects = (0..<50).map { _ in
            (x: 100 + random() * 1080, y: 100 + random() * 520, vx: (random() - 0.5) * 400, vy: (random() - 0.5) * 400)
        }
        let fps = 10.0
        let input: [[BoxDetection]] = (0..<(frames + warmup)).map { _ in
            objects.indices.map { index in
                var o = objects[index]
                o.x += o.vx / fps; o.y += o.vy / fps
                if o.x < 40 || o.x > 1240 { o.vx = -o.vx }
                if o.y < 60 || o.y > 700 { o.vy = -o.vy }
                objects[index] = o
                let x = o.x + random() - 0.5, y = o.y + random() - 0.5
                return BoxDetection(label: labels[index % labels.count], score: Float(0.3 + 0.7 * random()),
                                    box: PixelBox(x0: x - 30, y0: y - 60, x1: x + 30, y1: y))
            }
        }
        let zones = [
            ZoneSpec(name: "left", polygon: [PixelPoint(x: 0.05, y: 0.1), PixelPoint(x: 0.4, y: 0.1),
                                             PixelPoint(x: 0.45, y: 0.9), PixelPoint(x: 0.05, y: 0.9)],
                     units: .relative, loiterSeconds: 5),
            ZoneSpec(name: "right", polygon: [PixelPoint(x: 800, y: 100), PixelPoint(x: 1200, y: 150),
                                              PixelPoint(x: 1100, y: 650), PixelPoint(x: 850, y: 500),
                                              PixelPoint(x: 700, y: 600)], labels: ["person", "car"]),
        ]
        let lines = [
            LineSpec(name: "gate", start: PixelPoint(x: 0.5, y: 0), end: PixelPoint(x: 0.5, y: 1), units: .relative),
            LineSpec(name: "kerb", start: PixelPoint(x: 100, y: 400), end: PixelPoint(x: 1100, y: 450)),
        ]
        var analytics = TrackAnalytics(rule: TrackRule(), zones: zones, lines: lines, frameWidth: 1280, frameHeight: 720)
        var events = 0
        for frame in 0..<warmup { events += analytics.update(pts: Double(frame) / fps, detections: input[frame]).count }
        let clock = ContinuousClock()
        let start = clock.now
        for frame in warmup..<(warmup + frames) {
            events += analytics.update(pts: Double(frame) / fps, detections: input[frame]).count
        }
        let elapsed = clock.now - start
        let perFrame = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        print(String(format: "tracking bench: %.1f us per frame (50 boxes, 2 zones, 2 lines, %d frames, %d events, %d observations on the last)",
                     perFrame / Double(frames), frames, events, analytics.observations.count))
        #expect(events > 0, "the workload must exercise zones and lines, or the figure means little")
    }
}
