// Draws each frame's results on the frame in place; each task's result draws itself
// (detection boxes, segmentation masks, a caption with a classify stage's top label). When
// tracking runs, zones and lines are drawn under the results and track ids over them.

public final class AnnotateStage: Stage {
    public let name = "annotate"
    private let canvas: AnnotationCanvas
    private var overlay: TrackingOverlay?
    private let drawsTrackIDs: Bool

    public init(spec: AnnotateSpec, tracking: TrackingSpec = TrackingSpec()) {
        canvas = AnnotationCanvas(options: spec)
        overlay = tracking.tracksObjects ? TrackingOverlay(tracking: tracking) : nil
        drawsTrackIDs = spec.boxes
    }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            overlay?.drawPlaces(on: frame.frame)
            canvas.draw(frame)
            if drawsTrackIDs { overlay?.drawTrackIDs(frame.tracks, on: frame.frame) }
            try emit(frame, item: item)
        }
    }
}
