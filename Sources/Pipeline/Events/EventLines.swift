// The event-stream contract (DESIGN.md): every line has "type"; `frame` lines carry frame,
// pts and the stage results; `event` lines carry event, label, stage, start_pts, end_pts (on
// end), peak score and a box when there is one; the `summary` line carries frame counts, wall
// time and throughput.

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

    public static func event(_ record: EventRecord) -> JSONLine {
        var line = JSONLine()
        line.add("type", "event")
        line.add("event", record.event.kind.rawValue)
        line.add("label", record.label)
        line.add("stage", record.stage)
        line.add("frame", record.frameIndex)
        line.add("start_pts", JSONLine.seconds(record.event.startPTS))
        if let end = record.event.endPTS { line.add("end_pts", JSONLine.seconds(end)) }
        line.add("score", record.event.peakScore)
        if let box = record.event.bestBox { line.add("box", box) }
        return line
    }

    public struct Summary: Equatable, Sendable {
        public var decoded: Int
        public var processed: Int
        public var dropped: Int
        public var wallSeconds: Double
        public var events: Int
        public var interrupted: Bool

        public init(decoded: Int, processed: Int, dropped: Int, wallSeconds: Double, events: Int, interrupted: Bool) {
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
        return line
    }
}
