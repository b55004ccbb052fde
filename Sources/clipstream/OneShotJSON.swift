// The --json line of the one-shot commands (DESIGN.md): "source", the image size for the tasks
// that give one, then the task's own keys, written by its result type exactly as the
// pipeline's `frame` lines write them.
import Pipeline

enum OneShotJSON {
    static func line(source: String, width: Int? = nil, height: Int? = nil, _ result: some TaskResult) -> String {
        var line = JSONLine()
        line.add("source", source)
        if let width, let height {
            line.add("width", width)
            line.add("height", height)
        }
        result.addJSON(to: &line)
        return line.line
    }
}
