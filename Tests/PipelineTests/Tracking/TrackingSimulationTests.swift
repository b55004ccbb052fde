// Tracks, zone and line events on scenes built like tools/shapes_world.py's videos (320x240,
// 25 fps, 1-4 square objects of 10-40% of the short side crossing the frame in a straight line
// in 2-6 s, visible while at least half of them is in the frame), with a detector simulated
// from the objects' own boxes: clipped to the frame, up to 1 px of noise per side, 10% of
// boxes missed, each object's score steady around its own level (0.6-0.95, +-0.05) but below
// 0.5 on 10% of frames (a hard frame: ByteTrack's low band). The truth comes from the same
// geometry: which object each box is, the frame its anchor first is across the line or inside
// the zone. (With scores drawn anew each frame from 0.3-1, tentative tracks, which need
// min_frames consecutive confident boxes, start up to 15 frames late and miss early events.)
import Testing
@testable import Pipeline

@Suite struct TrackingSimulationTests {
    struct Mover {
        var label: String
        var score: Double
        var size: Double
        var cx0: Double, cy0: Double, vx: Double, vy: Double
    }

    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * next() }
    }

    static let width = 320.0, height = 240.0, fps = 25.0, seconds = 12.0
    static let labels = ["red circle", "blue square", "red star"]

    /// The world's movers: from outside one edge to outside the opposite one.
    static func movers(seed: UInt64) -> [Mover] {
        var rng = Generator(state: seed &* 0x9E37_79B9_7F4A_7C15)
        return (0..<(1 + Int(rng.next() * 4))).map { _ in
            let size = rng.uniform(0.10, 0.40) * min(width, height)
            let edge = Int(rng.next() * 4)
            func outside(_ edge: Int) -> (Double, Double) {
                let off = size / 2 + 1
                switch edge {
                case 0: return (-off, rng.uniform(0, height))
                case 1: return (width + off, rng.uniform(0, height))
                case 2: return (rng.uniform(0, width), -off)
                default: return (rng.uniform(0, width), height + off)
                }
            }
            let start = outside(edge), end = outside(edge ^ 1)
            let length = ((end.0 - start.0) * (end.0 - start.0) + (end.1 - start.1) * (end.1 - start.1)).squareRoot()
            let speed = length / rng.uniform(2, 6)
            let enterAt = rng.uniform(0, seconds - 2)
            let vx = (end.0 - start.0) / length * speed, vy = (end.1 - start.1) / length * speed
            return Mover(label: labels[Int(rng.next() * Double(labels.count))], score: rng.uniform(0.6, 0.95), size: size,
                         cx0: start.0 - vx * enterAt, cy0: start.1 - vy * enterAt, vx: vx, vy: vy)
        }
    }

    /// The mover's box clipped to the frame on frame `f`, when at least half of it shows.
    static func visibleBox(_ m: Mover, frame f: Int) -> PixelBox? {
        let t = Double(f) / fps, cx = m.cx0 + m.vx * t, cy = m.cy0 + m.vy * t, half = m.size / 2
        let clipped = PixelBox(x0: max(0, cx - half), y0: max(0, cy - half), x1: min(width, cx + half), y1: min(height, cy + half))
        guard clipped.width > 0, clipped.height > 0, clipped.width * clipped.height >= 0.5 * m.size * m.size else { return nil }
        return clipped
    }

    /// The first frame (of those where the mover shows) on which `test` of its anchor differs
    /// from the first frame's, and the first frame's value.
    static func firstChange(_ m: Mover, frames: Int, _ test: (PixelPoint) -> Bool) -> (start: Bool, frame: Int)? {
        var first: Bool?
        for f in 0..<frames {
            guard let box = visibleBox(m, frame: f) else { continue }
            let value = test(box.point(at: .bottomCenter))
            if first == nil { first = value } else if value != first { return (first!, f) }
        }
        return nil
    }

    /// Over six seeded scenes, as issue 19 asks of the whole run: every track one object and
    /// one track per object, every crossing found in its direction and none invented, and at
    /// least 95% of crossings and zone entries dated within 2 frames of the truth (noise on a
    /// slow object's box can move the first frame across by a frame or two more).
    @Test func idsZonesAndLinesMatchTheGeometry() {
        var offsets: [Double] = []
        for seed in 1...6 as ClosedRange<UInt64> { simulate(seed: seed, offsets: &offsets) }
        #expect(offsets.count >= 10, "too few events to judge: \(offsets)")
        #expect(offsets.filter { $0 <= 2 }.count * 100 >= offsets.count * 95, "\(offsets)")
        #expect(offsets.allSatisfy { $0 <= 5 }, "\(offsets)")
    }

    /// Runs one scene; checks ids and crossings, and appends how many frames each crossing's
    /// and zone entry's date is from the truth.
    func simulate(seed: UInt64, offsets: inout [Double]) {
        let movers = Self.movers(seed: seed)
        let frames = Int(Self.seconds * Self.fps)
        let zone = ZoneSpec(name: "middle", polygon: [PixelPoint(x: 80, y: 60), PixelPoint(x: 240, y: 60),
                                                     PixelPoint(x: 240, y: 180), PixelPoint(x: 80, y: 180)])
        let line = LineSpec(name: "gate", start: PixelPoint(x: 160, y: 0), end: PixelPoint(x: 160, y: 240))
        var analytics = TrackAnalytics(rule: TrackRule(), zones: [zone], lines: [line], frameWidth: 320, frameHeight: 240)
        var noise = Generator(state: seed &+ 77)
        var events: [TrackingEvent] = []
        // Which mover each track followed, frame by frame (the mover whose true box overlaps
        // the observed box most).
        var followed: [Int: Set<Int>] = [:]
        for f in 0..<frames {
            var detections: [BoxDetection] = []
            for m in movers {
                guard let box = Self.visibleBox(m, frame: f), noise.next() >= 0.1 else { continue }
                let score = noise.next() < 0.1 ? noise.uniform(0.3, 0.5) : m.score + noise.uniform(-0.05, 0.05)
                detections.append(BoxDetection(
                    label: m.label, score: Float(score),
                    box: PixelBox(x0: box.x0 + noise.uniform(-1, 1), y0: box.y0 + noise.uniform(-1, 1),
                                  x1: box.x1 + noise.uniform(-1, 1), y1: box.y1 + noise.uniform(-1, 1))))
            }
            events += analytics.update(pts: Double(f) / Self.fps, detections: detections)
            for observation in analytics.observations {
                let truth = movers.indices.max { a, b in
                    let frame = Int((observation.pts * Self.fps).rounded())
                    return (Self.visibleBox(movers[a], frame: frame)?.iou(observation.box) ?? 0)
                        < (Self.visibleBox(movers[b], frame: frame)?.iou(observation.box) ?? 0)
                }!
                followed[observation.trackID, default: []].insert(truth)
            }
        }
        events += analytics.finish()

        // Every track follows one mover, and every mover seen for a second is one track.
        #expect(followed.values.allSatisfy { $0.count == 1 }, "seed \(seed): a track switched objects: \(followed)")
        let trackOf = Dictionary(grouping: followed.keys, by: { followed[$0]!.first! })
        for (index, mover) in movers.enumerated() {
            let shown = (0..<frames).filter { Self.visibleBox(mover, frame: $0) != nil }.count
            guard shown >= Int(Self.fps) else { continue }
            #expect(trackOf[index]?.count == 1, "seed \(seed) mover \(index) (\(mover)) had tracks \(trackOf[index] ?? [])")
        }

        // Crossings of x = 160: one per mover whose anchor changed side, dated within 2 frames,
        // in the right direction (left to right is `in` for this top-to-bottom line).
        let crossings = events.compactMap { event -> LineCrossing? in if case .line(let c) = event { return c } else { return nil } }
        let enters = events.compactMap { event -> ZoneEvent? in
            if case .zone(let z) = event, z.kind == .enter { return z } else { return nil }
        }
        for (index, mover) in movers.enumerated() {
            let tracks = Set(trackOf[index] ?? [])
            let found = crossings.filter { tracks.contains($0.trackID) }
            if let change = Self.firstChange(mover, frames: frames, { $0.x > 160 }) {
                #expect(found.count == 1, "seed \(seed) mover \(index): \(found)")
                #expect(found.first?.direction == (change.start ? .out : .in))
                offsets.append(abs((found.first?.pts ?? -1) * Self.fps - Double(change.frame)))
            } else {
                #expect(found.isEmpty, "seed \(seed) mover \(index) never crossed: \(found)")
            }
            let inside = { (p: PixelPoint) in p.x >= 80 && p.x < 240 && p.y >= 60 && p.y < 180 }
            let entered = enters.filter { tracks.contains($0.trackID) }
            if let change = Self.firstChange(mover, frames: frames, inside), !change.start {
                #expect(entered.count == 1, "seed \(seed) mover \(index): \(entered)")
                offsets.append(abs((entered.first?.pts ?? -1) * Self.fps - Double(change.frame)))
            }
        }
    }
}
