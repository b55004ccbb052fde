// The event-stream contract (DESIGN.md): every line has "type"; `frame` lines carry frame,
// pts and the stage results; `event` lines carry event, label, stage, start_pts, end_pts (on
// end), peak score and a box when there is one; the `summary` line carries frame counts, wall
// time and throughput. Every event line also has `kind` (presence, track, zone, line) and ends
// with `id` and `stream`; track, zone and line lines have the shapes of DESIGN.md's "Contract
// extensions" (zone and line lines also name their `stage`, since track ids count per stage).

public enum EventLines {
    public static func frame(_ frame: FrameResults) -> JSONLine {
        var line = JSONLine()
        line.add("type", "frame")
        line.add("frame", frame.frame.index)
        line.add("pts", JSONLine.seconds(frame.frame.pts))
        var results = JSONLine()
        for result in frame.results { results.add(result.stage, raw: result.output.json.line) }
        line.add("results", raw: results.line)
        return line
    }

    public static func event(_ record: EventRecord, id: String, stream: String) -> JSONLine {
        var line = JSONLine()
        line.add("type", "event")
        line.add("kind", EventKind.presence.rawValue)
        line.add("event", record.event.kind.rawValue)
        line.add("label", record.label)
        line.add("stage", record.stage)
        line.add("frame", record.frameIndex)
        line.add("start_pts", JSONLine.seconds(record.event.startPTS))
        if let end = record.event.endPTS { line.add("end_pts", JSONLine.seconds(end)) }
        line.add("score", record.event.peakScore)
        if let box = record.event.bestBox { line.add("box", box) }
        line.add("id", id)
        line.add("stream", stream)
        return line
    }

    public static func event(_ record: TrackingRecord, id: String, stream: String) -> JSONLine {
        var line = JSONLine()
        line.add("type", "event")
        line.add("kind", record.kind.rawValue)
        switch record.event {
        case .track(let track):
            line.add("event", track.kind.rawValue)
            line.add("track_id", track.trackID)
            line.add("label", track.label)
            line.add("stage", record.stage)
            line.add("pts", JSONLine.seconds(track.endPTS ?? track.startPTS))
            if let end = track.endPTS {
                line.add("start_pts", JSONLine.seconds(track.startPTS))
                line.add("end_pts", JSONLine.seconds(end))
            }
            line.add("score", track.peakScore)
            line.add("box", track.peakBox.corners)
            if track.kind == .end {
                line.add("first_anchor", [Float(track.firstAnchor.x), Float(track.firstAnchor.y)])
                line.add("last_anchor", [Float(track.lastAnchor.x), Float(track.lastAnchor.y)])
                if let snapshot = record.snapshot { line.add("snapshot", snapshot) }
            }
        case .zone(let zone):
            line.add("event", zone.kind.rawValue)
            line.add("zone", zone.zone)
            line.add("track_id", zone.trackID)
            line.add("label", zone.label)
            line.add("stage", record.stage)
            line.add("pts", JSONLine.seconds(zone.pts))
            if let dwell = zone.dwellSeconds { line.add("dwell_seconds", JSONLine.seconds(dwell)) }
        case .line(let crossing):
            line.add("event", "cross")
            line.add("line", crossing.line)
            line.add("direction", crossing.direction.rawValue)
            line.add("track_id", crossing.trackID)
            line.add("label", crossing.label)
            line.add("stage", record.stage)
            line.add("pts", JSONLine.seconds(crossing.pts))
        }
        line.add("id", id)
        line.add("stream", stream)
        return line
    }

    public struct Summary: Equatable, Sendable {
        public var decoded: Int
        public var processed: Int
        public var dropped: Int
        public var wallSeconds: Double
        public var events: Int
        public var interrupted: Bool
        /// Crossings per line, label and direction; nil when the pipeline has no lines (or
        /// does not track).
        public var lines: [LineCount]?

        public init(decoded: Int, processed: Int, dropped: Int, wallSeconds: Double, events: Int, interrupted: Bool,
                    lines: [LineCount]? = nil) {
            self.lines = lines
            self.decoded = decoded
            self.processed = processed
            self.dropped = dropped
            self.wallSeconds = wallSeconds
            self.events = events
            self.interrupted = interrupted
        }
    }

    public static func summary(_ summary: Summary) -> JSONLine {
        var line = JSONLine()
        line.add("type", "summary")
        line.add("decoded", summary.decoded)
        line.add("processed", summary.processed)
        line.add("dropped", summary.dropped)
        line.add("events", summary.events)
        line.add("wall_seconds", (summary.wallSeconds * 1000).rounded() / 1000)
        let fps = summary.wallSeconds > 0 ? Double(summary.processed) / summary.wallSeconds : 0
        line.add("fps", (fps * 100).rounded() / 100)
        if summary.interrupted { line.add("interrupted", raw: "true") }
        if let lines = summary.lines {
            var byLine = JSONLine()
            for count in lines {
                var byLabel = JSONLine()
                for label in count.labels {
                    var directions = JSONLine()
                    directions.add("in", label.in)
                    directions.add("out", label.out)
                    byLabel.add(label.label, raw: directions.line)
                }
                byLine.add(count.line, raw: byLabel.line)
            }
            line.add("lines", raw: byLine.line)
        }
        return line
    }
}
