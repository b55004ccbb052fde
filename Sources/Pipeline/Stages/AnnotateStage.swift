// Draws each frame's results on the frame in place; each task's result draws itself
// (detection boxes, segmentation masks, a caption with a classify stage's top label).

public final class AnnotateStage: Stage {
    public let name = "annotate"
    private let canvas: AnnotationCanvas

    public init(spec: AnnotateSpec) { canvas = AnnotationCanvas(options: spec) }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            canvas.draw(frame)
            try emit(frame, item: item)
        }
    }
}
