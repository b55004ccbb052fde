// The graph is checked when it is built: connected types match, joins are the only stages
// with several inputs, every stage is fed, no cycles.
import Testing
@testable import Pipeline

@Suite struct GraphBuilderTests {
    func message(_ body: (GraphBuilder) throws -> Void) -> String? {
        do { try body(GraphBuilder()); return nil } catch { return "\(error)" }
    }

    /// Typed ids make this a compile error; ids erased (a graph put together from data) are
    /// checked when connected.
    @Test func mismatchedTypesAreRejectedWhenConnecting() {
        #expect(message { b in
            try b.connect(try b.add(NumberSource(count: 1)).erased, to: try b.add(TextStage()).erased)
        } == "stage 'source' produces Int but 'text' takes String")
        #expect(message { b in
            try b.connect(try b.add(NumberSource(count: 1)).erased, to: try b.add(MapStage("m")).erased)
        } == nil)
    }

    @Test func onlyJoinsTakeSeveralInputs() {
        #expect(message { b in
            let s1 = try b.add(NumberSource("a", count: 1)), s2 = try b.add(NumberSource("b", count: 1))
            let m = try b.add(MapStage("m"))
            try b.connect(s1, to: m)
            try b.connect(s2, to: m)
        } == "stage 'm' already has an input; only a join stage takes several")
    }

    @Test func structuralMistakes() {
        #expect(message { b in _ = try b.add(MapStage("m")); _ = try b.build() } == "the pipeline has no source")
        #expect(message { b in
            _ = try b.add(NumberSource(count: 1)); _ = try b.add(MapStage("m")); _ = try b.build()
        } == "stage 'm' has no input")
        #expect(message { b in _ = try b.add(MapStage("m")); _ = try b.add(MapStage("m")) }
                == "two stages are named 'm'")
        #expect(message { b in
            _ = try b.add(NumberSource(count: 1))
            let m1 = try b.add(MapStage("m1")), m2 = try b.add(MapStage("m2"))
            try b.connect(m1, to: m2)
            try b.connect(m2, to: m1)
            _ = try b.build()
        } == "the stages m1, m2 form a cycle")
        #expect(message { b in
            let s = try b.add(NumberSource(count: 1)), m = try b.add(MapStage("m"))
            try b.connect(s, to: m, queue: QueueOptions(capacity: 0))
        } == "the queue from 'source' to 'm' needs a capacity of at least 1, not 0")
    }
}
