// What travels on an edge: a value and its stream position. The source numbers its items
// 0, 1, 2...; every output keeps the number of the input it came from, so a join can match
// the results of the same frame from different branches even after some were dropped.

public struct Packet<Value> {
    public let sequence: Int
    public let value: Value

    public init(sequence: Int, value: Value) {
        self.sequence = sequence
        self.value = value
    }
}
