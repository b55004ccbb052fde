// When detections of one label become a track, and when the track ends: the pipeline file's
// `track: {max_lost_seconds, iou, min_frames}`. The two score bands are ByteTrack's: boxes at
// or above `highScore` start and extend tracks; boxes between `lowScore` and `highScore` only
// extend a track that was in view on the previous frame, which keeps an object's id through
// the frames where it is half hidden or blurred and its score dips.

public struct TrackRule: Equatable, Sendable {
    /// A track that has not been matched for longer than this ends (its end is decided on the
    /// first frame past it). Should exceed the interval between sampled frames.
    public var maxLostSeconds: Double
    /// The least intersection over union between a track's predicted box and a detection for
    /// them to be the same object.
    public var iou: Double
    /// Consecutive matched frames before a track is confirmed (and its `start` written); a
    /// track missed before that is dropped without events.
    public var minFrames: Int
    /// Boxes scoring at least this start tracks and are matched first.
    public var highScore: Double
    /// Boxes scoring below this are ignored.
    public var lowScore: Double
    /// The point of the box a track's path (first and last anchor) is reported at.
    public var anchor: Anchor

    public init(maxLostSeconds: Double = 1.0, iou: Double = 0.3, minFrames: Int = 3,
                highScore: Double = 0.5, lowScore: Double = 0.1, anchor: Anchor = .bottomCenter) {
        self.maxLostSeconds = maxLostSeconds
        self.iou = iou
        self.minFrames = minFrames
        self.highScore = highScore
        self.lowScore = lowScore
        self.anchor = anchor
    }
}

/// One box a detector found on a frame: what the tracker reads.
public struct BoxDetection: Equatable, Sendable {
    public var label: String
    public var score: Float
    public var box: PixelBox

    public init(label: String, score: Float, box: PixelBox) {
        self.label = label
        self.score = score
        self.box = box
    }
}

/// Where a confirmed track was on one frame: what zones, lines and annotation read.
public struct TrackObservation: Equatable, Sendable {
    public var trackID: Int
    public var label: String
    public var pts: Double
    public var score: Float
    public var box: PixelBox
}

/// A track's `start` (when confirmed) or `end` (when lost too long, or the stream ended).
public struct TrackEvent: Equatable, Sendable {
    public enum Kind: String, Sendable { case start, end }
    public var kind: Kind
    public var trackID: Int
    public var label: String
    /// The first frame the track was matched on (also for `start`, written min_frames later).
    public var startPTS: Double
    /// The last frame it was matched on; nil on `start`.
    public var endPTS: Double?
    /// The highest score so far and the box that had it.
    public var peakScore: Float
    public var peakBox: PixelBox
    /// The path's first point, and its last so far, at the tracker's anchor.
    public var firstAnchor: PixelPoint
    public var lastAnchor: PixelPoint
}
