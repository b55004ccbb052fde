// Small stages for engine tests: numbers in, arithmetic, records of what happened.
import Foundation
@testable import Pipeline

/// Emits 0..<count (or forever when count is nil), optionally sleeping between items.
final class NumberSource: Source {
    let name: String
    let count: Int?
    let delay: TimeInterval
    private var next = 0
    private(set) var closed = false

    init(_ name: String = "source", count: Int?, delay: TimeInterval = 0) {
        self.name = name
        self.count = count
        self.delay = delay
    }

    func next(_ context: StageContext) throws -> Int? {
        if let count, next >= count { return nil }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        defer { next += 1 }
        return next
    }

    func close(_ context: StageContext) throws { closed = true }
}

struct FakeFailure: Error, CustomStringConvertible {
    let value: Int
    var description: String { "cannot take \(value)" }
}

/// Applies `transform`; throws on `failOn`; on close emits `flush` if set (like pending events).
final class MapStage: Stage {
    let name: String
    let maxBatchSize: Int
    let transform: (Int) -> Int
    let failOn: Int?
    let flush: Int?
    let delay: TimeInterval
    private let lock = NSLock()
    private(set) var lifecycle: [String] = []
    private(set) var batchSizes: [Int] = []

    init(_ name: String, maxBatch: Int = 1, failOn: Int? = nil, flush: Int? = nil,
         delay: TimeInterval = 0, _ transform: @escaping (Int) -> Int = { $0 }) {
        self.name = name
        self.maxBatchSize = maxBatch
        self.transform = transform
        self.failOn = failOn
        self.flush = flush
        self.delay = delay
    }

    func open(_ context: StageContext) throws { record("open") }

    func process(_ inputs: [Int], context: StageContext, emit: Emitter<Int>) throws {
        record("process")
        lock.lock(); batchSizes.append(inputs.count); lock.unlock()
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        for (item, value) in inputs.enumerated() {
            if value == failOn { throw FakeFailure(value: value) }
            try emit(transform(value), item: item)
        }
    }

    func close(_ context: StageContext, emit: Emitter<Int>) throws {
        record("close")
        if let flush { try emit(flush) }
    }

    private func record(_ event: String) {
        lock.lock(); defer { lock.unlock() }
        if lifecycle.last != event || event != "process" { lifecycle.append(event) }
    }
}

/// A terminal stage that keeps what reaches it (thread-safe, for the threaded runner).
final class Collector<T>: Stage {
    typealias Input = T
    typealias Output = T
    let name: String
    private let lock = NSLock()
    private var items: [T] = []
    private(set) var closed = false

    init(_ name: String = "sink") { self.name = name }

    var received: [T] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    func process(_ inputs: [T], context: StageContext, emit: Emitter<T>) throws {
        lock.lock(); items += inputs; lock.unlock()
        for (item, value) in inputs.enumerated() { try emit(value, item: item) }
    }

    func close(_ context: StageContext, emit: Emitter<T>) throws { closed = true }
}

/// Fan-in: one Int per branch, emitted together.
final class PairJoin: JoinStage {
    typealias Part = Int
    let name: String
    init(_ name: String = "join") { self.name = name }

    func process(_ inputs: [[Int]], context: StageContext, emit: Emitter<[Int]>) throws {
        for parts in inputs { try emit(parts) }
    }
}

/// A stage whose types do not fit after NumberSource.
final class TextStage: Stage {
    let name = "text"
    func process(_ inputs: [String], context: StageContext, emit: Emitter<String>) throws {}
}
