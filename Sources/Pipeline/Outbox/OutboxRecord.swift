// One event as the outbox holds it: the payload a sink appended, and the sequence the outbox
// gave it (consecutive from 1 over the outbox's life, so "delivered up to N" names a prefix).
import Foundation

public struct OutboxRecord: Equatable, Sendable {
    public let sequence: UInt64
    public let payload: Data

    public init(sequence: UInt64, payload: Data) {
        self.sequence = sequence
        self.payload = payload
    }
}
