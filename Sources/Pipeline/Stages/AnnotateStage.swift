// Draws each frame's results on the frame in place: detection boxes with label and score,
// segmentation masks, and a caption line per classify stage with its top label.
import Media
import Models

public final class AnnotateStage: Stage {
    public let name = "annotate"
    let spec: AnnotateSpec
    let annotator = Annotator()
    /// A mask at the frame's size, reused from prompt to prompt and frame to frame.
    private var probabilities: [Float] = []

    public init(spec: AnnotateSpec) { self.spec = spec }

    public func process(_ inputs: [FrameResults], context: StageContext, emit: Emitter<FrameResults>) throws {
        for (item, frame) in inputs.enumerated() {
            draw(frame)
            try emit(frame, item: item)
        }
    }

    func draw(_ results: FrameResults) {
        let frame = results.frame
        var captionLine = 0
        for result in results.results {
            switch result.output {
            case .classification(let labels, _, let probabilities):
                guard spec.captions,
                      let top = probabilities.indices.max(by: { probabilities[$0] < probabilities[$1] }) else { continue }
                let percent = Int((probabilities[top] * 100).rounded())
                annotator.drawCaption(on: frame, "\(result.stage): \(labels[top]) \(percent)%", line: captionLine)
                captionLine += 1
            case .detections(let detections):
                guard spec.boxes else { continue }
                for detection in detections where detection.box.count == 4 {
                    let b = detection.box.map(Double.init)
                    annotator.drawBox(on: frame, x0: b[0], y0: b[1], x1: b[2], y1: b[3],
                                      label: detection.label, score: detection.score)
                }
            case .segments(let segments):
                guard spec.masks else { continue }
                for segment in segments {
                    if let mask = segment.mask {
                        mask.probabilities(into: &probabilities)
                        annotator.drawMask(on: frame, mask: probabilities, width: frame.width, height: frame.height,
                                           threshold: 0.5, label: segment.label)
                    }
                }
            }
        }
    }
}
