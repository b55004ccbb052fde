// One run of a pipeline file over one input: opens the input and the sinks (so bad paths fail
// before any compute), loads the models, wires the graph
//
//   source -> model stages (fan-out) -> join (fan-in, frame order) -> events -> [annotate] -> [video] -> [frames]
//
// runs it on threads, and writes the summary line last. Used by `clipstream run`.
import Foundation
import Media

public struct RunOptions {
    /// A video path, or "-" for stdin.
    public var input: String
    /// Raw frames on stdin instead of a container: size and rate.
    public var rawSize: FrameSize?
    public var rawFPS: Double?
    /// An NDJSON path ("-" is stdout) that takes the place of the file's NDJSON event sinks
    /// (its sinks of other kinds stay).
    public var events: String?
    /// Overrides sinks.video.
    public var output: String?
    public var prompts: PromptEmbeddingStore
    /// The model tasks available to the pipeline's stages.
    public var models: ModelRegistry
    /// The event sink kinds the pipeline file may name.
    public var eventSinks: EventSinkRegistry
    /// Receives warnings meant for the user (stderr in the CLI).
    public var warn: (String) -> Void

    public init(input: String, rawSize: FrameSize? = nil, rawFPS: Double? = nil, events: String? = nil,
                output: String? = nil, prompts: PromptEmbeddingStore = PromptEmbeddingStore(),
                models: ModelRegistry = .builtIn, eventSinks: EventSinkRegistry = .builtIn,
                warn: @escaping (String) -> Void = { _ in }) {
        self.input = input
        self.rawSize = rawSize
        self.rawFPS = rawFPS
        self.events = events
        self.output = output
        self.prompts = prompts
        self.models = models
        self.eventSinks = eventSinks
        self.warn = warn
    }
}

public final class PipelineRun {
    public let spec: PipelineSpec
    public let source: FrameSourceStage
    public let join = ResultsJoin()
    public let events: EventsStage
    public let eventSinks: EventSinks
    public let cancellation = Cancellation()
    public let budget: ThreadBudget
    public let prompts: PromptEmbeddingStore
    private let graph: Graph

    public init(spec: PipelineSpec, options: RunOptions) throws {
        self.spec = spec
        prompts = options.prompts
        let sinks = spec.sinks
        var eventSinkSpecs = sinks.events
        if let path = options.events {
            eventSinkSpecs.removeAll { $0.kind == NDJSONEventSink.kind }
            eventSinkSpecs.insert(EventSinkSpec(kind: NDJSONEventSink.kind, settings: SpecValue(path, origin: "--events")), at: 0)
        }
        let videoPath = options.output ?? sinks.video
        // Sinks first: a path that cannot be written is reported before models load.
        let warn = options.warn
        eventSinks = EventSinks(try eventSinkSpecs.map { try options.eventSinks.make($0, warn: { warn($0) }) })
        // Live input (stdin) may never end: its video is fragmented, so memory stays bounded and
        // the file plays even if the run is killed.
        let videoSink = try videoPath.map { try VideoSinkStage(path: $0, frameRate: nil, fragmented: options.input == "-") }
        let framesSink = try sinks.framesDirectory.map { try FramesSinkStage(directory: $0, format: sinks.framesFormat) }
        let ids = EventIDs()
        let snapshots = try sinks.snapshots.map { try TrackSnapshots(spec: $0, runID: ids.runID) }

        budget = ThreadBudget(modelStages: spec.stages.count)
        budget.apply()
        let environment = ModelEnvironment(prompts: options.prompts)
        let models = try spec.stages.map { stage in
            ModelStage(name: stage.name, model: try options.models.make(stage, environment: environment),
                       maxBatchSize: stage.batch,
                       threshold: stage.task == .classify ? stage.threshold.map(Float.init) : nil)
        }

        let reader: FrameSource
        if let size = options.rawSize {
            guard let fps = options.rawFPS else { throw PipelineBuildError("--raw-size needs --raw-fps") }
            reader = try RawFrameReader(path: options.input, size: size, fps: fps, sampling: spec.source.sampling)
        } else {
            var decoderOptions = VideoDecoderOptions(size: spec.source.size, sampling: spec.source.sampling, threads: 1)
            decoderOptions.warningHandler = { [warn = options.warn] in warn($0) }
            reader = try VideoDecoder(path: options.input, options: decoderOptions)
        }
        source = FrameSourceStage(reader: reader)
        // A stalled live input would otherwise keep a stopped run waiting in read(2).
        cancellation.onCancel { [reader] in reader.stopReading() }
        events = EventsStage(spec: spec.events ?? EventsSpec(), sinks: eventSinks, tracking: spec.tracking, stages: spec.stages,
                             ids: ids, snapshots: snapshots)

        let builder = GraphBuilder()
        let sourceID = try builder.add(source)
        let join = try builder.add(self.join)
        for (model, stage) in zip(models, spec.stages) {
            let id = try builder.add(model)
            try builder.connect(sourceID, to: id, queue: stage.queue ?? spec.queue)
            try builder.connect(id, to: join, queue: spec.queue)
        }
        var last = try builder.add(events, after: join, queue: spec.events?.queue ?? spec.queue)
        let sinkQueue = sinks.queue ?? spec.queue
        // Drawing only matters when frames are written.
        if let annotate = spec.annotate, videoSink != nil || framesSink != nil {
            last = try builder.add(AnnotateStage(spec: annotate, tracking: spec.tracking), after: last, queue: annotate.queue ?? spec.queue)
        }
        if let videoSink { last = try builder.add(videoSink, after: last, queue: sinkQueue) }
        if let framesSink { last = try builder.add(framesSink, after: last, queue: sinkQueue) }
        graph = try builder.build()
    }

    /// Runs to the end (or cancellation), sends the summary line and closes the event sinks,
    /// then throws the first stage error if there was one (else a sink's).
    @discardableResult
    public func run() throws -> RunReport {
        let report = GraphRunner(graph: graph, cancellation: cancellation).run()
        let summary = EventLines.Summary(
            decoded: source.decodedCount,
            processed: join.joinedCount,
            // Sampled frames that never reached the events: dropped by a queue policy (on any
            // branch; a frame one branch lost cannot be joined) or skipped by a failed stage.
            dropped: source.deliveredCount - join.joinedCount,
            wallSeconds: report.wallSeconds, events: events.eventCount,
            interrupted: report.cancelled && report.failure == nil, lines: events.lineCounts)
        var line = EventLines.summary(summary)
        // Prompts the text towers had to encode in this run (0 when all came from the cache).
        line.add("prompts_computed", prompts.computedCount)
        // Network sinks send what they can (bounded) before their counts are taken.
        let delivering = eventSinks.sinks.compactMap { $0 as? DeliveringEventSink }
        if !delivering.isEmpty {
            var delivery = JSONLine()
            var seen: [String: Int] = [:]
            for sink in delivering {
                // Two sinks of one kind get "mqtt" and "mqtt-2", so neither's counts are lost.
                let count = seen[sink.deliveryKey, default: 0] + 1
                seen[sink.deliveryKey] = count
                let key = count == 1 ? sink.deliveryKey : "\(sink.deliveryKey)-\(count)"
                delivery.add(key, raw: sink.finishDelivery().json.line)
            }
            line.add("delivery", raw: delivery.line)
        }
        let summarised = Result {
            try eventSinks.write(StreamLine(summary: summary, line: line))
            try eventSinks.flush()
        }
        let closed = Result { try eventSinks.close() }
        if let failure = report.failure { throw failure }
        try summarised.get()
        try closed.get()
        return report
    }
}
