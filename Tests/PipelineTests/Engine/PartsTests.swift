// The pieces on their own: the queue, the join buffer, the single-stage harness, the
// thread budget.
import Testing
@testable import Pipeline

@Suite struct PartsTests {
    @Test func queueNeverHoldsMoreThanItsCapacity() {
        let queue = BoundedQueue<Int>(capacity: 2, policy: .block)
        #expect(queue.tryPush(1) == .accepted)
        #expect(queue.tryPush(2) == .accepted)
        #expect(queue.tryPush(3) == .full)
        #expect(queue.count == 2 && queue.droppedCount == 0)
        #expect(queue.pop(max: 5) == [1, 2])
        queue.finish()
        #expect(queue.pop(max: 1) == [])
        #expect(queue.isDrained)
    }

    @Test func cancelledQueueTurnsPushesAway() {
        let queue = BoundedQueue<Int>(capacity: 1)
        queue.push(1)
        queue.cancel()
        #expect(queue.push(2) == .cancelled, "a cancelled queue must not block its producer")
        #expect(queue.count == 0)
    }

    @Test func joinBufferReleasesInFrameOrderAndSkipsIncompleteFrames() {
        var join = JoinBuffer<String>(ports: 2)
        join.offer(Packet(sequence: 0, value: "a0"), port: 0)
        #expect(join.take() == nil)
        join.offer(Packet(sequence: 2, value: "b2"), port: 1)  // branch b dropped frame 0 and 1
        #expect(join.take() == nil)  // a0 can never complete
        #expect(join.wants(0) && !join.wants(1))
        join.offer(Packet(sequence: 2, value: "a2"), port: 0)
        let taken = join.take()
        #expect(taken?.sequence == 2)
        #expect(taken?.parts == ["a2", "b2"])
        #expect(join.incomplete == 1)
        join.finish(port: 1)
        #expect(join.isExhausted)
    }

    @Test func harnessDrivesOneStage() throws {
        let harness = StageHarness(MapStage("double", maxBatch: 2, flush: 99) { $0 * 2 })
        #expect(try harness.feed(1) == [2])
        #expect(try harness.feed(batch: [2, 3]) == [4, 6])
        #expect(try harness.close() == [99])
        #expect(harness.outputs == [2, 4, 6, 99])
        #expect(harness.stage.lifecycle == ["open", "process", "close"])
        #expect(throws: FakeFailure.self) { try StageHarness(MapStage("f", failOn: 1)).feed(1) }
    }

    @Test func threadBudgetSharesTheCoresBetweenModelStages() {
        #expect(ThreadBudget(cores: 2, modelStages: 1).modelThreads == 2, "one model stage uses every core")
        #expect(ThreadBudget(cores: 2, modelStages: 2).modelThreads == 1, "two stages share the cores")
        #expect(ThreadBudget(cores: 9, modelStages: 2).modelThreads == 4)
        #expect(ThreadBudget(cores: 8, modelStages: 0).modelThreads == 8)
        #expect(ThreadBudget(cores: 1, modelStages: 1).modelThreads == 1)
    }
}
