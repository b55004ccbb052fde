// `sinks.snapshots: {directory, when: best|first, crop}`: one JPEG per track, written when the
// track ends and named by its `end` event. The frame (or the box with a margin, `crop: true`)
// is copied as it arrives, before annotation draws on it: at the frame the track is confirmed
// on, then (`best`) again whenever the track's score beats the one kept, so an end costs one
// JPEG and a frame costs a copy only for tracks that just did better. Frames a track had before
// it was confirmed have gone by then, so `best` is the best from confirmation on.
import Foundation
import Media

public enum SnapshotMoment: String, Equatable, CaseIterable, Sendable {
    /// The frame with the track's highest score.
    case best
    /// The frame the track was confirmed on.
    case first
}

public struct SnapshotSpec: Equatable {
    public var directory: String
    public var when: SnapshotMoment = .best
    /// The box with a margin of a quarter of its size on every side, not the whole frame.
    public var crop = false

    public init(directory: String, when: SnapshotMoment = .best, crop: Bool = false) {
        self.directory = directory
        self.when = when
        self.crop = crop
    }
}

public final class TrackSnapshots {
    public let spec: SnapshotSpec
    private let runID: String
    private let writer = ImageWriter()
    private struct Key: Hashable { let stage: String; let trackID: Int }
    private struct Kept {
        var score: Float = -.infinity
        var width = 0, height = 0
        var pixels: [UInt8] = []
    }
    private var kept: [Key: Kept] = [:]
    /// Buffers of ended tracks, reused by the next ones.
    private var spare: [[UInt8]] = []

    /// Files are `<directory>/<run id>-<stage>-<track id>.jpg`, so runs sharing a directory
    /// do not overwrite each other's.
    public init(spec: SnapshotSpec, runID: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: spec.directory, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: spec.directory) else {
            throw PipelineBuildError("cannot write snapshots to \(spec.directory): it is not a writable directory")
        }
        self.spec = spec
        self.runID = runID
    }

    /// Keeps the frame for the tracks on it that need it.
    public func observe(_ tracks: [FrameTrack], on frame: VideoFrame) {
        for track in tracks {
            let key = Key(stage: track.stage, trackID: track.observation.trackID)
            if let old = kept[key], spec.when == .first || track.observation.score <= old.score { continue }
            var copy = kept.removeValue(forKey: key) ?? Kept(pixels: spare.popLast() ?? [])
            copy.score = track.observation.score
            self.copy(frame, box: track.observation.box, into: &copy)
            kept[key] = copy
        }
    }

    /// Writes the ended track's JPEG; returns its path, nil when the track was never kept.
    public func write(stage: String, trackID: Int) throws -> String? {
        guard let copy = kept.removeValue(forKey: Key(stage: stage, trackID: trackID)) else { return nil }
        let path = (spec.directory as NSString).appendingPathComponent("\(runID)-\(stage)-\(trackID).jpg")
        try writer.write(VideoFrame(width: copy.width, height: copy.height, rgb: copy.pixels), to: path, format: .jpeg)
        spare.append(copy.pixels)
        return path
    }

    private func copy(_ frame: VideoFrame, box: PixelBox, into copy: inout Kept) {
        var x0 = 0, y0 = 0, x1 = frame.width, y1 = frame.height
        if spec.crop {
            let dx = box.width / 4, dy = box.height / 4
            x0 = max(0, Int((box.x0 - dx).rounded(.down)))
            y0 = max(0, Int((box.y0 - dy).rounded(.down)))
            x1 = min(frame.width, Int((box.x1 + dx).rounded(.up)))
            y1 = min(frame.height, Int((box.y1 + dy).rounded(.up)))
            // A box wholly outside the frame keeps the whole frame rather than nothing.
            if x1 <= x0 || y1 <= y0 { (x0, y0, x1, y1) = (0, 0, frame.width, frame.height) }
        }
        copy.width = x1 - x0
        copy.height = y1 - y0
        copy.pixels.removeAll(keepingCapacity: true)
        frame.withUnsafeBytes { bytes in
            for row in y0..<y1 {
                let start = row * frame.bytesPerRow + 3 * x0
                copy.pixels.append(contentsOf: bytes[start..<(start + 3 * copy.width)])
            }
        }
    }
}
