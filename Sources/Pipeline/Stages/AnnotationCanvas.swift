// What a task result draws on: one frame, with the annotate section's switches applied. A
// result asks for captions, boxes and masks; the canvas draws each only when that kind is on.
import Media

public final class AnnotationCanvas {
    private let annotator = Annotator()
    private let options: AnnotateSpec
    private var frame = VideoFrame(width: 1, height: 1)
    /// The stage whose result is drawing (captions name it).
    public private(set) var stage = ""
    private var captionLine = 0
    /// A mask at the frame's size, reused from prompt to prompt and frame to frame.
    private var probabilities: [Float] = []

    public init(options: AnnotateSpec) { self.options = options }

    /// Draws every stage's result on its frame, in stage order.
    public func draw(_ results: FrameResults) {
        frame = results.frame
        captionLine = 0
        for result in results.results {
            stage = result.stage
            result.output.draw(on: self)
        }
    }

    /// A line of text in the band at the top, one line per caption drawn on this frame.
    public func caption(_ text: String) {
        guard options.captions else { return }
        annotator.drawCaption(on: frame, text, line: captionLine)
        captionLine += 1
    }

    /// A box ([x0, y0, x1, y1] in frame pixels) with its label and score.
    public func box(_ box: [Float], label: String, score: Float) {
        guard options.boxes, box.count == 4 else { return }
        let b = box.map(Double.init)
        annotator.drawBox(on: frame, x0: b[0], y0: b[1], x1: b[2], y1: b[3], label: label, score: score)
    }

    /// A probability mask, shaded where it reaches one half.
    public func mask(_ mask: SegmentMask, label: String) {
        guard options.masks else { return }
        mask.probabilities(into: &probabilities)
        annotator.drawMask(on: frame, mask: probabilities, width: frame.width, height: frame.height,
                           threshold: 0.5, label: label)
    }
}
