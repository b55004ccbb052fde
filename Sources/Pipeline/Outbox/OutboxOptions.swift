// How hard the outbox works to survive a power loss, and what it does when the disk budget is
// spent (the pipeline file's `fsync`, `max_bytes` and `policy` under a network sink).
import Foundation

public struct OutboxOptions: Sendable {
    /// When appended records and the delivered cursor reach the disk itself, not just the page
    /// cache (which a killed process does not lose, but a power cut does).
    public enum Fsync: Sendable, Equatable {
        /// Every append and every cursor move: nothing acknowledged to the caller is lost.
        case always
        /// At most `seconds` of appends (and cursor moves) lost to a power cut.
        case interval(seconds: Double)
        /// Left to the operating system (typically up to 30 s of appends on Linux).
        case never
    }

    /// What an append does when the outbox already holds `maxBytes`.
    public enum FullPolicy: String, Sendable, Equatable {
        /// Waits until delivery frees space (backpressure reaches the events stage).
        case block
        /// Deletes the oldest segment, undelivered or not, and counts its events as dropped.
        case dropOldest = "drop-oldest"
    }

    public var fsync: Fsync
    public var maxBytes: Int
    public var policy: FullPolicy
    /// Segment files roll at this size; the unit of reclaiming and of drop-oldest, so it is
    /// kept to at most a quarter of `maxBytes`.
    public var segmentBytes: Int

    public init(fsync: Fsync = .interval(seconds: 1), maxBytes: Int = 256 << 20,
                policy: FullPolicy = .dropOldest, segmentBytes: Int = 4 << 20) {
        self.fsync = fsync
        self.maxBytes = maxBytes
        self.policy = policy
        self.segmentBytes = segmentBytes
    }

    /// `segmentBytes`, capped so that a full outbox spans at least four segments.
    var effectiveSegmentBytes: Int { max(RecordFrame.headerBytes + 64, min(segmentBytes, maxBytes / 4)) }

    /// How often a background timer syncs and persists the cursor (nil: never needed).
    var timerSeconds: Double {
        switch fsync {
        case .always: return 1
        case .interval(let seconds): return seconds
        case .never: return 1
        }
    }
}
