// The benchmark's workload: 50 boxes a frame (5 labels x 10 objects bouncing around a 1280x720
// frame at up to 280 px/s with up to 1 px of jitter), 2 zones and 2 lines, so tracks cross
// lines and enter and leave zones. Bounces off the frame's edges, objects of one label
// crossing, and random scores also end tracks and start others (about 500 starts in 3300
// frames), so the workload pays for that churn too. A fixed generator keeps every run the same. Shared by the test
// target and tools/bench-tracking.sh, which compiles it optimised with the tracking sources
// alone (TRACKING_BENCH_STANDALONE) instead of building the whole package in release mode.
#if !TRACKING_BENCH_STANDALONE
@testable import Pipeline
#endif

enum TrackingWorkload {
    struct Result {
        var microsecondsPerFrame: Double
        var frames: Int
        var events: Int
    }

    static func measure(frames: Int = 3000, warmup: Int = 300) -> Result {
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
        let microseconds = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        return Result(microsecondsPerFrame: microseconds / Double(frames), frames: frames, events: events)
    }

    static func report(_ result: Result, build: String) -> String {
        let perFrame = (result.microsecondsPerFrame * 10).rounded() / 10
        return "tracking bench (\(build)): \(perFrame) us per frame with 50 boxes, 2 zones, 2 lines"
            + " (\(result.frames) frames, \(result.events) events)"
    }
}
