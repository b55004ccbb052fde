// Which model tasks `run` can use: each task's FrameModel is registered here once it exists.
import Pipeline

enum ModelStages {
    static func registerAll() {
    }
}
