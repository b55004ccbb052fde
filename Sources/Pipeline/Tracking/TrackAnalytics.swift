// Tracker, zones and lines run together on one stage's boxes: what the events stage calls per
// sampled frame. Events come out in the order they are decided, each group in time order:
// tracks that ended (after the zones they were in are exited), tracks confirmed on this frame,
// then the zone and line events of this frame's observations.

public enum TrackingEvent: Equatable, Sendable {
    case track(TrackEvent)
    case zone(ZoneEvent)
    case line(LineCrossing)
}

public struct TrackAnalytics {
    public private(set) var tracker: ObjectTracker
    public private(set) var zones: ZoneMonitor
    public private(set) var lines: LineCounter
    private var zoneEvents: [ZoneEvent] = []
    private var crossings: [LineCrossing] = []

    /// The frame size resolves zones and lines given in relative units.
    public init(rule: TrackRule, zones: [ZoneSpec], lines: [LineSpec], frameWidth: Int, frameHeight: Int) {
        tracker = ObjectTracker(rule: rule)
        self.zones = ZoneMonitor(zones: zones, frameWidth: frameWidth, frameHeight: frameHeight)
        self.lines = LineCounter(lines: lines, frameWidth: frameWidth, frameHeight: frameHeight)
    }

    /// Where confirmed tracks were on the last frame (and, for tracks confirmed on it, before).
    public var observations: [TrackObservation] { tracker.observations }

    /// Feeds one sampled frame's boxes; returns the events it decides (usually none).
    public mutating func update(pts: Double, detections: [BoxDetection]) -> [TrackingEvent] {
        tracker.update(pts: pts, detections: detections)
        var events: [TrackingEvent] = []
        appendTrackEvents(to: &events)
        for observation in tracker.observations {
            zones.observe(observation, into: &zoneEvents)
            lines.observe(observation, into: &crossings)
            appendPlaceEvents(to: &events)
        }
        return events
    }

    /// The stream ended: open tracks end, and leave their zones.
    public mutating func finish() -> [TrackingEvent] {
        tracker.finish()
        var events: [TrackingEvent] = []
        appendTrackEvents(to: &events)
        return events
    }

    private mutating func appendTrackEvents(to events: inout [TrackingEvent]) {
        for event in tracker.events {
            if event.kind == .end {
                zones.trackEnded(event, into: &zoneEvents)
                lines.trackEnded(event.trackID)
                appendPlaceEvents(to: &events)
            }
            events.append(.track(event))
        }
    }

    private mutating func appendPlaceEvents(to events: inout [TrackingEvent]) {
        for event in zoneEvents { events.append(.zone(event)) }
        for crossing in crossings { events.append(.line(crossing)) }
        zoneEvents.removeAll(keepingCapacity: true)
        crossings.removeAll(keepingCapacity: true)
    }
}
