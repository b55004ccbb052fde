// Each event line's `id` (`<run id>-<sequence>`, unique in the run) and `stream` (the input's
// name, `main` for --input). A consumer that receives a line twice (a broker's redelivery, a
// webhook retried) drops the copy by its id; the run id keeps two runs' ids apart.
import Foundation

public struct EventIDs: Sendable {
    public let runID: String
    public let stream: String
    private var sequence = 0

    public init(runID: String = EventIDs.newRunID(), stream: String = "main") {
        self.runID = runID
        self.stream = stream
    }

    /// The next line's id: sequences start at 1 and count every event line of the run.
    public mutating func next() -> String {
        sequence += 1
        return "\(runID)-\(sequence)"
    }

    /// Milliseconds since 1970 in base 36 then 4 random hex digits: sorts by start time, and
    /// two runs started in the same millisecond still differ.
    public static func newRunID() -> String {
        let millis = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = String(UInt16.random(in: .min ... .max), radix: 16)
        return String(millis, radix: 36) + String(repeating: "0", count: 4 - random.count) + random
    }
}
