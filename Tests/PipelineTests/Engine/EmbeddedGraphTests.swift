// Engine semantics, stepped synchronously: order, backpressure, drops, batching, fan-out and
// fan-in, cancellation and error propagation.
import Testing
@testable import Pipeline

@Suite struct EmbeddedGraphTests {
    /// source -> double -> sink with the given queue options on both edges.
    func chain(count: Int?, _ options: QueueOptions, maxBatch: Int = 1, failOn: Int? = nil,
               flush: Int? = nil) throws -> (EmbeddedGraph, MapStage, NodeID<Int, Int>) {
        let builder = GraphBuilder()
        let source = try builder.add(NumberSource(count: count))
        let double = MapStage("double", maxBatch: maxBatch, failOn: failOn, flush: flush) { $0 * 2 }
        let mapped = try builder.add(double)
        let sink = try builder.add(Collector<Int>())
        try builder.connect(source, to: mapped, queue: options)
        try builder.connect(mapped, to: sink, queue: options)
        return (EmbeddedGraph(graph: try builder.build()), double, sink)
    }

    @Test func deliversEveryItemInOrder() throws {
        let (graph, stage, sink) = try chain(count: 50, QueueOptions(capacity: 3))
        let report = graph.runUntilIdle()
        #expect(graph.outputs(of: sink) == (0..<50).map { $0 * 2 })
        #expect(graph.isFinished)
        #expect(stage.lifecycle == ["open", "process", "close"])
        #expect(report.dropped == 0)
        #expect(report.stage("source")?.processed == 50)
    }

    @Test func blockPolicyStopsTheProducerAtCapacity() throws {
        let (graph, _, sink) = try chain(count: 10, QueueOptions(capacity: 2, policy: .block))
        #expect(graph.step("source"))  // opens and emits 0
        #expect(graph.step("source"))  // emits 1: queue now full
        #expect(graph.step("source"))  // pulls 2, which waits in the outbox
        #expect(!graph.step("source"), "a producer facing a full block queue must not progress")
        #expect(graph.queued(from: "source", to: "double") == 2)
        #expect(graph.step("double"))  // takes 0, opening room
        #expect(graph.step("source"))  // 2 moves in
        #expect(graph.queued(from: "source", to: "double") == 2)
        let report = graph.runUntilIdle()
        #expect(graph.outputs(of: sink) == (0..<10).map { $0 * 2 })
        #expect(report.dropped == 0)
        #expect(report.edges.allSatisfy { $0.highWaterMark <= 2 })
    }

    @Test func dropOldestKeepsTheNewest() throws {
        let (graph, _, sink) = try chain(count: 10, QueueOptions(capacity: 3, policy: .dropOldest))
        for _ in 0..<11 { #expect(graph.step("source")) }  // 10 items and the end
        #expect(graph.queued(from: "source", to: "double") == 3)
        let report = graph.runUntilIdle()
        #expect(graph.outputs(of: sink) == [14, 16, 18])
        #expect(report.edge(from: "source", to: "double")?.dropped == 7)
        #expect(report.edge(from: "source", to: "double")?.highWaterMark == 3)
    }

    @Test func dropLatestKeepsWhatIsQueued() throws {
        let (graph, _, sink) = try chain(count: 10, QueueOptions(capacity: 3, policy: .dropLatest))
        for _ in 0..<11 { #expect(graph.step("source")) }
        let report = graph.runUntilIdle()
        #expect(graph.outputs(of: sink) == [0, 2, 4])
        #expect(report.dropped == 7)
    }

    @Test func batchesOnlyWhenABacklogExists() throws {
        let (graph, stage, sink) = try chain(count: 10, QueueOptions(capacity: 10), maxBatch: 4)
        #expect(graph.step("source"))
        #expect(graph.step("double"))  // one item queued: a batch of one
        for _ in 0..<9 { graph.step("source") }
        #expect(graph.step("double"))  // nine queued: a batch of four
        graph.runUntilIdle()
        #expect(stage.batchSizes == [1, 4, 4, 1])
        #expect(graph.outputs(of: sink) == (0..<10).map { $0 * 2 })
        #expect(graph.report.stage("double")?.largestBatch == 4)
    }

    func diamond(_ left: QueueOptions, _ right: QueueOptions) throws -> (EmbeddedGraph, NodeID<[Int], [Int]>) {
        let builder = GraphBuilder()
        let source = try builder.add(NumberSource(count: 6))
        let plus = try builder.add(MapStage("plus") { $0 + 100 })
        let times = try builder.add(MapStage("times") { $0 * 10 })
        let join = try builder.add(PairJoin())
        let sink = try builder.add(Collector<[Int]>())
        try builder.connect(source, to: plus, queue: left)
        try builder.connect(source, to: times, queue: right)
        try builder.connect(plus, to: join)
        try builder.connect(times, to: join)
        try builder.connect(join, to: sink)
        return (EmbeddedGraph(graph: try builder.build()), sink)
    }

    @Test func fanOutAndFanInMatchResultsByFrame() throws {
        let (graph, sink) = try diamond(QueueOptions(capacity: 2), QueueOptions(capacity: 2))
        // Run one branch far ahead of the other: the join still pairs by frame.
        graph.step("source"); graph.step("source")
        graph.step("plus"); graph.step("plus")
        graph.runUntilIdle()
        #expect(graph.outputs(of: sink) == (0..<6).map { [$0 + 100, $0 * 10] })
    }

    @Test func joinDiscardsFramesOneBranchDropped() throws {
        let (graph, sink) = try diamond(QueueOptions(capacity: 8), QueueOptions(capacity: 2, policy: .dropLatest))
        for _ in 0..<7 { graph.step("source") }
        let report = graph.runUntilIdle()
        // "times" only got frames 0 and 1; frames 2...5 cannot be completed.
        #expect(graph.outputs(of: sink) == [[100, 0], [101, 10]])
        #expect(report.edge(from: "source", to: "times")?.dropped == 4)
        #expect((report.stage("join")?.incompleteJoins ?? 0) > 0)
        #expect(graph.isFinished)
    }

    @Test func cancellationStopsTheSourceAndStillClosesEveryStage() throws {
        let (graph, stage, sink) = try chain(count: nil, QueueOptions(capacity: 4), flush: -1)
        for _ in 0..<3 { graph.step("source") }
        graph.cancellation.cancel()
        let report = graph.runUntilIdle()
        // Items already queued are finished; the close-time flush still reaches the sink.
        #expect(graph.outputs(of: sink) == [0, 2, 4, -1])
        #expect(stage.lifecycle == ["open", "process", "close"])
        #expect(report.cancelled)
        #expect(report.failure == nil)
        #expect(graph.isFinished)
    }

    @Test func anErrorStopsTheRunAndClosesDownstream() throws {
        let (graph, stage, sink) = try chain(count: nil, QueueOptions(capacity: 4), failOn: 3, flush: -1)
        let report = graph.runUntilIdle()
        #expect(report.failure?.stage == "double")
        #expect(report.failure?.description == "stage 'double': cannot take 3")
        #expect(graph.outputs(of: sink) == [0, 2, 4, -1])
        #expect(stage.lifecycle == ["open", "process", "close"])
        #expect(graph.isFinished, "the source must stop after a downstream failure")
    }
}
