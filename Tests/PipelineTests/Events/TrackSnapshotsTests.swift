// sinks.snapshots through the events stage on TrackingEventLinesTests' walk, with every frame a
// flat grey of 10 x its index, so the saved JPEG's grey says which frame was kept: `best` keeps
// frame 4 (score 0.95, the others 0.8), `first` frame 1 (where min_frames 2 confirms the track),
// and `crop` the box x 60-120, y 60-100 of frame 4 with a quarter of its size around it
// (x 45-135, y 50-110). The end event names the file.
import Foundation
import Media
import Testing
@testable import Pipeline

@Suite struct TrackSnapshotsTests {
    func run(_ when: SnapshotMoment, crop: Bool) throws -> (line: String, path: String, image: VideoFrame) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("snaps-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scene = TrackingEventLinesTests()
        let frames = scene.walk(through: 12).map { frame in
            frame.frame.withUnsafeMutableBytes { for i in $0.indices { $0[i] = UInt8(10 * frame.frame.index) } }
            return frame
        }
        let snapshots = try TrackSnapshots(spec: SnapshotSpec(directory: directory, when: when, crop: crop), runID: "r")
        let lines = try EventsStageTests().lines(EventsSpec(), frames, tracking: scene.tracking([.track]), stages: scene.stages,
                                                 snapshots: snapshots)
        let path = directory + "/r-objects-1.jpg"
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["r-objects-1.jpg"])
        return (lines.last ?? "", path, try ImageReader.read(path))
    }

    /// JPEG of a flat grey decodes to within a step of it.
    func grey(_ image: VideoFrame) -> Int { Int(image.rgb(x: image.width / 2, y: image.height / 2).g) }

    @Test func bestFrameNamedByTheEndEvent() throws {
        let (line, path, image) = try run(.best, crop: false)
        #expect(line.hasPrefix(#"{"type":"event","kind":"track","event":"end""#))
        #expect(line.hasSuffix(#""last_anchor":[190,100],"snapshot":"\#(path)","id":"r-2","stream":"main"}"#))
        #expect(image.width == 320 && image.height == 240)
        #expect(abs(grey(image) - 40) <= 1)
    }

    @Test func firstFrame() throws {
        let (_, _, image) = try run(.first, crop: false)
        #expect(abs(grey(image) - 10) <= 1)
    }

    @Test func cropKeepsTheBoxWithAMargin() throws {
        let (_, _, image) = try run(.best, crop: true)
        #expect(image.width == 90 && image.height == 60)
        #expect(abs(grey(image) - 40) <= 1)
    }
}
