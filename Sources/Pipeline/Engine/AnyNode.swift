// A stage with its types erased, so a graph built at run time (from a pipeline file) can hold
// stages of any types. The metatypes are kept so the builder can check that connected stages
// agree before anything runs.

final class AnyNode {
    enum Kind { case source, stage, join }

    let name: String
    let kind: Kind
    /// The type each incoming edge must carry (a join's Part; nil for sources).
    let inputType: Any.Type?
    let outputType: Any.Type
    let maxBatchSize: Int
    let open: (StageContext) throws -> Void
    /// Sources only.
    let next: (StageContext) throws -> Any?
    /// Stages: the inputs (for a join, each one an [Any] of parts), their sequences, an emitter.
    let process: ([Any], ArraySlice<Int>, StageContext, @escaping (Any, Int) throws -> Void) throws -> Void
    let close: (StageContext, ArraySlice<Int>, @escaping (Any, Int) throws -> Void) throws -> Void

    init<S: Source>(source: S) {
        name = source.name
        kind = .source
        inputType = nil
        outputType = S.Output.self
        maxBatchSize = 1
        open = { try source.open($0) }
        next = { try source.next($0) }
        process = { _, _, _, _ in }
        close = { context, _, _ in try source.close(context) }
    }

    init<S: Stage>(stage: S) {
        name = stage.name
        kind = .stage
        inputType = S.Input.self
        outputType = S.Output.self
        maxBatchSize = max(1, stage.maxBatchSize)
        open = { try stage.open($0) }
        next = { _ in nil }
        process = { inputs, sequences, context, send in
            // Every edge into this node was checked to carry S.Input when the graph was built.
            let typed = inputs.map { $0 as! S.Input }
            try stage.process(typed, context: context, emit: Emitter(sequences: sequences, send: { try send($0, $1) }))
        }
        close = { context, sequences, send in
            try stage.close(context, emit: Emitter(sequences: sequences, send: { try send($0, $1) }))
        }
    }

    init<S: JoinStage>(join stage: S) {
        name = stage.name
        kind = .join
        inputType = S.Part.self
        outputType = S.Output.self
        maxBatchSize = 1
        open = { try stage.open($0) }
        next = { _ in nil }
        process = { inputs, sequences, context, send in
            let typed = inputs.map { ($0 as! [Any]).map { $0 as! S.Part } }
            try stage.process(typed, context: context, emit: Emitter(sequences: sequences, send: { try send($0, $1) }))
        }
        close = { context, sequences, send in
            try stage.close(context, emit: Emitter(sequences: sequences, send: { try send($0, $1) }))
        }
    }
}
