// The same semantics on real threads: order survives concurrency, queues never exceed their
// capacity, every item is either delivered or counted as dropped, failures stop the run.
import Foundation
import Testing
@testable import Pipeline

@Suite struct GraphRunnerTests {
    @Test func threadedChainKeepsOrderAndCapacity() throws {
        let builder = GraphBuilder()
        let source = try builder.add(NumberSource(count: 200))
        let slow = try builder.add(MapStage("slow", maxBatch: 3, delay: 0.0005) { $0 + 1 })
        let sink = Collector<Int>()
        let sinkID = try builder.add(sink)
        try builder.connect(source, to: slow, queue: QueueOptions(capacity: 2))
        try builder.connect(slow, to: sinkID, queue: QueueOptions(capacity: 1))
        let report = try GraphRunner(graph: try builder.build()).runOrThrow()
        #expect(sink.received == Array(1...200))
        #expect(sink.closed)
        #expect(report.edges.allSatisfy { $0.highWaterMark <= $0.capacity })
        #expect(report.dropped == 0)
    }

    @Test(arguments: [QueuePolicy.dropOldest, .dropLatest])
    func droppedItemsAreCounted(policy: QueuePolicy) throws {
        let builder = GraphBuilder()
        let source = try builder.add(NumberSource(count: 300))
        let slow = try builder.add(MapStage("slow", delay: 0.001))
        let sink = Collector<Int>()
        let sinkID = try builder.add(sink)
        try builder.connect(source, to: slow, queue: QueueOptions(capacity: 4, policy: policy))
        try builder.connect(slow, to: sinkID)
        let report = GraphRunner(graph: try builder.build()).run()
        let delivered = sink.received
        #expect(delivered.count + report.dropped == 300)
        #expect(report.dropped > 0, "a consumer 1 ms per item behind a free-running source must drop")
        #expect(delivered == delivered.sorted(), "drops never reorder")
        #expect(report.edges.allSatisfy { $0.highWaterMark <= $0.capacity })
        if policy == .dropOldest { #expect(delivered.last == 299) }
        if policy == .dropLatest { #expect(delivered.first == 0) }
    }

    @Test func threadedFanOutAndFanIn() throws {
        let builder = GraphBuilder()
        let source = try builder.add(NumberSource(count: 100))
        let fast = try builder.add(MapStage("fast") { $0 + 1000 })
        let slow = try builder.add(MapStage("slow", maxBatch: 4, delay: 0.0005) { -$0 })
        let join = try builder.add(PairJoin())
        let sink = Collector<[Int]>()
        let sinkID = try builder.add(sink)
        try builder.connect(source, to: fast, queue: QueueOptions(capacity: 3))
        try builder.connect(source, to: slow, queue: QueueOptions(capacity: 3))
        try builder.connect(fast, to: join, queue: QueueOptions(capacity: 2))
        try builder.connect(slow, to: join, queue: QueueOptions(capacity: 2))
        try builder.connect(join, to: sinkID)
        try GraphRunner(graph: try builder.build()).runOrThrow()
        #expect(sink.received == (0..<100).map { [$0 + 1000, -$0] })
    }

    @Test func failureStopsAnEndlessSourceAndClosesEverything() throws {
        let builder = GraphBuilder()
        let numbers = NumberSource(count: nil)
        let source = try builder.add(numbers)
        let failing = MapStage("failing", failOn: 50, flush: -1)
        let stage = try builder.add(failing)
        let sink = Collector<Int>()
        let sinkID = try builder.add(sink)
        try builder.connect(source, to: stage, queue: QueueOptions(capacity: 2))
        try builder.connect(stage, to: sinkID)
        let report = GraphRunner(graph: try builder.build()).run()
        #expect(report.failure?.stage == "failing")
        #expect(throws: StageError.self) { throw report.failure! }
        #expect(sink.received == Array(0..<50) + [-1])
        #expect(numbers.closed && sink.closed)
        #expect(failing.lifecycle == ["open", "process", "close"])
    }

    @Test func cancellationFromAnotherThreadEndsTheRun() throws {
        let builder = GraphBuilder()
        let numbers = NumberSource(count: nil, delay: 0.001)
        let source = try builder.add(numbers)
        let stage = try builder.add(MapStage("events", flush: -1))
        let sink = Collector<Int>()
        let sinkID = try builder.add(sink)
        try builder.connect(source, to: stage)
        try builder.connect(stage, to: sinkID)
        let runner = GraphRunner(graph: try builder.build())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { runner.cancellation.cancel() }
        let report = runner.run()
        #expect(report.cancelled && report.failure == nil)
        let received = sink.received
        #expect(received.last == -1, "the close-time flush is delivered after cancellation")
        #expect(received.dropLast() == Array(0..<(received.count - 1)))
    }
}
