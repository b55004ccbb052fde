// Pipeline files: the examples parse; every mistake names the file, line, column and key;
// `--set` overrides are checked like the file.
import Foundation
import Media
import Tensor
import Testing
import TestSupport
@testable import Pipeline

@Suite struct PipelineSpecTests {
    let minimal = """
        stages:
          - name: objects
            task: detect
            model: models/owlvit
            queries: [a cat, a dog]
        """

    func error(_ yaml: String, overrides: [String] = []) -> String? {
        do {
            _ = try PipelineSpec(yaml: yaml, file: "p.yaml", overrides: overrides.map { try SpecOverride($0) })
            return nil
        } catch { return "\(error)" }
    }

    @Test(arguments: ["classify-scenes", "detect-events", "segment-overlay", "classify-and-detect"])
    func examplesParse(name: String) throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("pipelines/\(name).yaml")
        let spec = try PipelineSpec(contentsOf: url)
        #expect(!spec.stages.isEmpty)
        #expect(spec.sinks.events.map(\.kind) == ["ndjson"])
        #expect(try spec.sinks.events.first?.settings.string() == "-")
    }

    @Test func readsEverySection() throws {
        let spec = try PipelineSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("pipelines/detect-events.yaml"))
        #expect(spec.source.sampling == .fps(5))
        #expect(spec.queue == QueueOptions(capacity: 8, policy: .block))
        let objects = try #require(spec.stages.first)
        #expect(objects.task == .detect && objects.name == "objects")
        #expect(objects.prompts == ["red circle", "blue square", "yellow star"])
        #expect(objects.threshold == 0.3 && objects.nms == 0.5 && objects.topK == 10)
        let events = try #require(spec.events)
        #expect(events.defaults == EventRule(minFrames: 2, gapFrames: 3, minScore: nil))
        #expect(events.rule(for: "yellow star") == EventRule(minFrames: 3, gapFrames: 3, minScore: 0.3))
        #expect(events.rule(for: "red circle") == events.defaults)
        #expect(spec.annotate?.boxes == true)

        let both = try PipelineSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("pipelines/classify-and-detect.yaml"))
        #expect(both.stages.map(\.task) == [.classify, .detect])
        #expect(both.stages[0].queue == QueueOptions(capacity: 2, policy: .dropOldest))
    }

    @Test func defaultsWhenOmitted() throws {
        let spec = try PipelineSpec(yaml: minimal, file: "p.yaml")
        #expect(spec.source == SourceSpec())
        #expect(spec.events == nil && spec.annotate == nil)
        #expect(spec.stages[0].batch == 1 && spec.stages[0].threshold == nil)
        #expect(spec.stages[0].precision == .float32)
    }

    @Test func precisionIsReadAndChecked() throws {
        let spec = try PipelineSpec(yaml: minimal + "\n    precision: bf16", file: "p.yaml")
        #expect(spec.stages[0].precision == .bfloat16)
        let wrong = error(minimal + "\n    precision: half")
        #expect(wrong?.hasPrefix("p.yaml:6:16: 'objects.precision'") == true, "\(wrong ?? "no error")")
        #expect(wrong?.contains("fp32") == true && wrong?.contains("bf16") == true, "\(wrong ?? "no error")")
    }

    @Test func unknownKeysNameFileLineAndKey() {
        #expect(error(minimal + "\n    treshold: 0.2")
                == "p.yaml:6:5: 'objects.treshold' is not a known key of a detect stage (known: name, task, model, queries, threshold, batch, precision, queue, nms, top_k, track)")
        #expect(error("sauce:\n  every: 2\n" + minimal)
                == "p.yaml:1:1: 'sauce' is not a known key here (known: source, queue, stages, events, annotate, sinks, zones, lines)")
        #expect(error(minimal + "\nevents:\n  min_frame: 2")
                == "p.yaml:7:3: 'events.min_frame' is not a known key here (known: min_frames, gap_frames, min_score, frames, rules, queue, kinds, track)")
        #expect(error(minimal + "\n    labels: [x]")?.hasPrefix("p.yaml:6:5: 'objects.labels' is not a known key of a detect stage") == true)
    }

    @Test func wrongTypesNameFileLineAndKey() {
        #expect(error("source:\n  every: two\n" + minimal)
                == "p.yaml:2:10: 'source.every' must be a whole number, not the text 'two'")
        #expect(error(minimal + "\n    threshold: 1.5")
                == "p.yaml:6:16: 'objects.threshold' must be between 0.0 and 1.0, not 1.5")
        #expect(error(minimal + "\n    queue: {capacity: 2, policy: sometimes}")
                == "p.yaml:6:34: 'objects.queue.policy' must be one of block, drop-oldest, drop-latest, not 'sometimes'")
        #expect(error(minimal + "\nevents:\n  frames: 3")
                == "p.yaml:7:11: 'events.frames' must be true or false, not the number 3")
        #expect(error(minimal.replacingOccurrences(of: "[a cat, a dog]", with: "a cat"))
                == "p.yaml:5:14: 'objects.queries' must be a list of text values, not the text 'a cat'")
        #expect(error("source:\n  size: 640by360\n" + minimal)
                == "p.yaml:2:9: 'source.size' must be WIDTHxHEIGHT with sides from 1 to 16384, like 640x360, not '640by360'")
    }

    @Test func structuralMistakes() {
        #expect(error("source:\n  every: 2") == "p.yaml:1:1: 'stages' is missing: a pipeline needs at least one model stage")
        #expect(error("stages:\n  - name: a\n    model: m\n    labels: [x]")
                == "p.yaml:2:5: 'a' needs a 'task' (classify, detect or segment)")
        #expect(error(minimal + "\n  - name: objects\n    task: classify\n    model: m\n    labels: [x]")
                == "p.yaml:6:5: 'objects' names a second stage 'objects'; stage names must differ")
        #expect(error("stages: [")?.hasPrefix("p.yaml: is not valid YAML:") == true)
        #expect(error("") == "p.yaml: is empty")
    }

    @Test func overridesChangeValuesAndAreCheckedLikeTheFile() throws {
        let spec = try PipelineSpec(yaml: minimal, file: "p.yaml", overrides: [
            try SpecOverride("objects.threshold=0.25"), try SpecOverride("events.min_frames=4"),
            try SpecOverride("source.every=3"), try SpecOverride("objects.queries=[a bird]"),
            try SpecOverride("sinks.video=out.mp4"),
        ])
        #expect(spec.stages[0].threshold == 0.25)
        #expect(spec.stages[0].prompts == ["a bird"])
        #expect(spec.events?.defaults.minFrames == 4)
        #expect(spec.source.sampling == .everyNth(3))
        #expect(spec.sinks.video == "out.mp4")

        #expect(error(minimal, overrides: ["objects.threshold=high"])
                == "--set objects.threshold=high: 'objects.threshold' must be a number, not the text 'high'")
        #expect(error(minimal, overrides: ["objects.colour=red"])
                == "--set objects.colour=red: 'objects.colour' is not a known key of a detect stage (known: name, task, model, queries, threshold, batch, precision, queue, nms, top_k, track)")
        #expect(error(minimal, overrides: ["cats.threshold=0.2"])
                == "--set cats.threshold=0.2: 'cats.threshold' names no section or stage of the pipeline")
        #expect(error(minimal, overrides: ["threshold"]) == "--set threshold: needs the form stage.key=value")
    }
}
