// Associates one stage's boxes frame to frame into tracks with stable ids (ByteTrack, Zhang et
// al. 2022): each frame, confirmed tracks take high-score boxes first, then tentative tracks
// take what is left, then confirmed tracks seen on the previous frame may take low-score
// boxes; unmatched high-score boxes start tentative tracks. Only boxes of the same label match.
//
// A track is matched on the box it is predicted to have now, not the one it last had: its
// last box moved at a constant velocity (of the box centre, smoothed over observations). At
// 5-30 sampled frames a second and within `max_lost_seconds`, an object's motion is close to
// straight and uniform, so this recovers what ByteTrack's Kalman filter buys (matching a
// moving object after missed frames, where its old box no longer overlaps) without the
// filter's covariance bookkeeping; the IoU threshold absorbs the rest of the error. The box
// keeps its last size: a size velocity extrapolated over an occlusion can shrink it to nothing.
//
// A track seen once has no speed yet, so an object that moved more than about half its size
// by the next sampled frame would not overlap its first box enough to start a track. For such
// tracks both boxes are first grown by their own width and height on every side (the buffered
// IoU of C-BIoU, Yang et al. 2023): a box that moved up to about its own size still matches.
// From the second observation on, the prediction takes over.
//
// A prediction is wrong when the object stopped or turned (while unseen, or at once); a
// confirmed track its prediction found nothing for may therefore take a confident box left
// over that overlaps its last box (the observation-centric recovery of OC-SORT, Cao et al. 2023).
//
// Pairs are taken greedily, best IoU first, which equals an optimal assignment unless one box
// overlaps two tracks (or one track two boxes) above the threshold — then the better overlap wins.

public struct ObjectTracker {
    public let rule: TrackRule

    struct Track {
        var id = 0
        let labelID: Int
        let label: String
        var confirmed = false
        var hits = 1
        var box: PixelBox
        var lastPTS: Double
        var lastFrame: Int
        var lastScore: Float
        /// Pixels per second of the box centre; nil until the track has two observations.
        var velocity: PixelPoint?
        let startPTS: Double
        let firstBox: PixelBox
        var peakScore: Float
        var peakBox: PixelBox
        /// Observations made while tentative, written out when the track is confirmed so zones
        /// and lines see the whole path (empty once confirmed).
        var pending: [TrackObservation] = []

        func predicted(at pts: Double) -> PixelBox {
            guard let velocity else { return box }
            let dt = pts - lastPTS
            return box.shifted(dx: velocity.x * dt, dy: velocity.y * dt)
        }

        mutating func update(_ detection: BoxDetection, pts: Double, frame: Int) {
            let dt = pts - lastPTS
            if dt > 0 {
                let step = detection.box.center - box.center
                let now = PixelPoint(x: step.x / dt, y: step.y / dt)
                // An even blend of the last step and the earlier estimate: one jittery box moves
                // the prediction by half its error, and a turn is followed within two frames.
                // After missed frames the step spans the gap and is the better estimate alone
                // (the object may have stopped or turned while unseen).
                if let velocity, lastFrame == frame - 1 {
                    self.velocity = PixelPoint(x: (velocity.x + now.x) / 2, y: (velocity.y + now.y) / 2)
                } else {
                    velocity = now
                }
            }
            box = detection.box
            lastPTS = pts
            lastFrame = frame
            lastScore = detection.score
            hits += 1
            if detection.score > peakScore { peakScore = detection.score; peakBox = detection.box }
        }
    }

    private struct Pair { var iou: Double; var track: Int; var detection: Int }

    private(set) var tracks: [Track] = []
    private var nextID = 1
    private var frame = 0
    /// Labels seen so far; a label's id is its position. A stage has a handful of labels, and
    /// comparing a few short strings costs less than hashing one.
    private var labels: [String] = []
    /// What matching reads of a track or a box, apart from the rest so its loops touch no
    /// strings or arrays.
    private struct Candidate {
        /// Where the track is predicted now (grown when `buffered`), or the detection's box.
        var box: PixelBox
        /// The track's last matched box.
        var lastBox = PixelBox(x0: 0, y0: 0, x1: 0, y1: 0)
        var label: Int
        var score: Float = 0
        var confirmed = false
        var seenOnPreviousFrame = false
        /// Matched on boxes grown by their own size (a track with no speed yet).
        var buffered = false
        var taken = false
    }

    // Per-frame scratch, kept to reuse its storage.
    private var trackCandidates: [Candidate] = []
    private var boxCandidates: [Candidate] = []
    private var pairs: [Pair] = []

    /// Events decided by the last `update` or `finish`: ends first (tracks lost too long),
    /// then starts.
    public private(set) var events: [TrackEvent] = []
    /// Where confirmed tracks were seen, in time order: a newly confirmed track's earlier
    /// frames first, then every confirmed track matched on the last frame.
    public private(set) var observations: [TrackObservation] = []

    public init(rule: TrackRule) { self.rule = rule }

    /// Feeds one sampled frame's boxes; read `events` and `observations` afterwards.
    public mutating func update(pts: Double, detections: [BoxDetection]) {
        events.removeAll(keepingCapacity: true)
        observations.removeAll(keepingCapacity: true)
        frame += 1
        let maxLost = rule.maxLostSeconds
        endTracks { pts - $0.lastPTS > maxLost }

        boxCandidates.removeAll(keepingCapacity: true)
        for detection in detections {
            boxCandidates.append(Candidate(box: detection.box, label: labelID(detection.label), score: detection.score))
        }
        trackCandidates.removeAll(keepingCapacity: true)
        for track in tracks {
            let buffered = track.velocity == nil
            trackCandidates.append(Candidate(box: buffered ? track.box.grown(by: 1) : track.predicted(at: pts),
                                             lastBox: track.box, label: track.labelID, confirmed: track.confirmed,
                                             seenOnPreviousFrame: track.lastFrame == frame - 1, buffered: buffered))
        }

        associate(detections, pts: pts, round: .confirmedHigh)
        associate(detections, pts: pts, round: .atLastBox)
        associate(detections, pts: pts, round: .tentativeHigh)
        associate(detections, pts: pts, round: .recentLow)

        // Tentative tracks must be matched on consecutive frames; confirmed ones wait.
        let now = frame
        tracks.removeAll { !$0.confirmed && $0.lastFrame != now }
        let high = Float(rule.highScore)
        for (index, detection) in detections.enumerated() where !boxCandidates[index].taken && detection.score >= high {
            tracks.append(Track(labelID: boxCandidates[index].label, label: detection.label, box: detection.box,
                                lastPTS: pts, lastFrame: frame, lastScore: detection.score, startPTS: pts, firstBox: detection.box,
                                peakScore: detection.score, peakBox: detection.box))
        }
        // In track order, so a frame's observations do not depend on how pairs were ranked.
        var confirmedAny = false
        for index in tracks.indices where tracks[index].lastFrame == frame {
            if tracks[index].confirmed {
                observations.append(observation(of: tracks[index]))
                continue
            }
            tracks[index].pending.append(observation(of: tracks[index]))
            if tracks[index].hits >= rule.minFrames {
                confirm(index)
                confirmedAny = true
            }
        }
        // A newly confirmed track brings older frames: keep observations in time order.
        if confirmedAny { observations.sort { ($0.pts, $0.trackID) < ($1.pts, $1.trackID) } }
    }

    /// The stream ended: every confirmed track ends at its last frame.
    public mutating func finish() {
        events.removeAll(keepingCapacity: true)
        observations.removeAll(keepingCapacity: true)
        endTracks { _ in true }
    }

    /// The rounds of matching, in order: ByteTrack's three, and OC-SORT's recovery of a lost
    /// track at its last box.
    private enum Round {
        /// Confirmed tracks, high-score boxes.
        case confirmedHigh
        /// Confirmed tracks left unmatched, high-score boxes left over, on the track's last box
        /// instead of its prediction.
        case atLastBox
        /// Tentative tracks, high-score boxes left over.
        case tentativeHigh
        /// Confirmed tracks seen on the previous frame, low-score boxes.
        case recentLow
    }

    /// Matches the boxes of `round` to its free tracks, best IoU first.
    private mutating func associate(_ detections: [BoxDetection], pts: Double, round: Round) {
        pairs.removeAll(keepingCapacity: true)
        let high = Float(rule.highScore), low = Float(rule.lowScore)
        for t in trackCandidates.indices where !trackCandidates[t].taken {
            let track = trackCandidates[t]
            switch round {
            case .confirmedHigh: guard track.confirmed else { continue }
            case .atLastBox: guard track.confirmed else { continue }
            case .tentativeHigh: guard !track.confirmed else { continue }
            case .recentLow: guard track.confirmed && track.seenOnPreviousFrame else { continue }
            }
            for d in boxCandidates.indices where !boxCandidates[d].taken && boxCandidates[d].label == track.label {
                let score = boxCandidates[d].score
                guard round == .recentLow ? (score >= low && score < high) : score >= high else { continue }
                let box = boxCandidates[d].box
                let overlap = round == .atLastBox ? track.lastBox.iou(box)
                    : track.box.iou(track.buffered ? box.grown(by: 1) : box)
                if overlap >= rule.iou { pairs.append(Pair(iou: overlap, track: t, detection: d)) }
            }
        }
        guard !pairs.isEmpty else { return }
        // Ties broken by position so a run is reproducible.
        pairs.sort { ($0.iou, $1.track, $1.detection) > ($1.iou, $0.track, $0.detection) }
        for pair in pairs where !trackCandidates[pair.track].taken && !boxCandidates[pair.detection].taken {
            trackCandidates[pair.track].taken = true
            boxCandidates[pair.detection].taken = true
            tracks[pair.track].update(detections[pair.detection], pts: pts, frame: frame)
        }
    }

    private mutating func labelID(_ label: String) -> Int {
        if let index = labels.firstIndex(of: label) { return index }
        labels.append(label)
        return labels.count - 1
    }

    private mutating func confirm(_ index: Int) {
        tracks[index].confirmed = true
        tracks[index].id = nextID
        nextID += 1
        let track = tracks[index]
        events.append(event(.start, track))
        for var observation in track.pending {
            observation.trackID = track.id
            observations.append(observation)
        }
        tracks[index].pending = []
    }

    private mutating func endTracks(where expired: (Track) -> Bool) {
        for track in tracks where track.confirmed && expired(track) { events.append(event(.end, track)) }
        tracks.removeAll(where: expired)
    }

    private func observation(of track: Track) -> TrackObservation {
        TrackObservation(trackID: track.id, label: track.label, pts: track.lastPTS, score: track.lastScore, box: track.box)
    }

    private func event(_ kind: TrackEvent.Kind, _ track: Track) -> TrackEvent {
        TrackEvent(kind: kind, trackID: track.id, label: track.label, startPTS: track.startPTS,
                   endPTS: kind == .end ? track.lastPTS : nil, peakScore: track.peakScore, peakBox: track.peakBox,
                   firstAnchor: track.firstBox.point(at: rule.anchor), lastAnchor: track.box.point(at: rule.anchor))
    }
}
