// The durable outbox on real files: replay in order after reopening, reclaiming delivered
// segments, a torn last record, both full policies, and what a killed process leaves.
import Foundation
import Testing
@testable import Pipeline

/// Warnings an outbox reported, for assertions.
final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    var all: [String] { lock.withLock { messages } }
    var handler: @Sendable (String) -> Void { { [self] message in lock.withLock { messages.append(message) } } }
}

/// A fresh directory under TMPDIR, removed when the test's value goes away.
final class ScratchDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-test-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: url) }

    var segmentFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasPrefix("segment-") }.sorted()
    }
}

/// Records 1...count appended by an outbox whose process then "died" (see `abandon`); returns
/// the newest segment file, for tests to damage.
func abandonedOutbox(_ scratch: ScratchDirectory, records count: Int, fsync: OutboxOptions.Fsync) throws -> URL {
    let killed = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: fsync), warn: { _ in })
    for index in 1...count { try killed.append(payload(index)) }
    killed.abandon()
    return scratch.url.appendingPathComponent(scratch.segmentFiles.last!)
}

func payload(_ index: Int) -> Data { Data("{\"type\":\"event\",\"n\":\(index)}".utf8) }

/// Every record after `sequence`, read in small batches the way a sender reads them.
func readAll(_ outbox: Outbox, after sequence: UInt64 = 0) throws -> [OutboxRecord] {
    var all: [OutboxRecord] = []
    var last = sequence
    while case let batch = try outbox.records(after: last, maxBytes: 200), let tail = batch.last {
        all += batch
        last = tail.sequence
    }
    return all
}

@Suite struct OutboxTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        // The catalogue's check value for CRC-32/ISO-HDLC (zlib's crc32) over "123456789".
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func appendedRecordsReplayInOrderAfterReopening() throws {
        let scratch = ScratchDirectory()
        var outbox: Outbox? = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        for index in 1...100 { #expect(try outbox!.append(payload(index)) == UInt64(index)) }
        #expect(try readAll(outbox!).map(\.payload) == (1...100).map(payload))
        try outbox!.markDelivered(upTo: 40)
        try outbox!.close()
        outbox = nil

        let reopened = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        #expect(reopened.deliveredSequence == 40)
        #expect(reopened.undeliveredCount == 60)
        let replay = try readAll(reopened, after: reopened.deliveredSequence)
        #expect(replay.map(\.sequence) == Array(41...100))
        #expect(replay.map(\.payload) == (41...100).map(payload))
        #expect(try reopened.append(payload(101)) == 101)
    }

    @Test func segmentsAreReclaimedOnceWhollyDelivered() throws {
        let scratch = ScratchDirectory()
        let options = OutboxOptions(fsync: .never, maxBytes: 1 << 20, segmentBytes: 512)
        let outbox = try Outbox(directory: scratch.url, options: options, warn: { _ in })
        for index in 1...200 { try outbox.append(payload(index)) }
        let before = scratch.segmentFiles
        #expect(before.count > 5)
        let bytesBefore = outbox.byteCount
        try outbox.markDelivered(upTo: 190)
        // Only the segments holding 191...200 are left; the oldest one left starts at or before 191.
        let after = scratch.segmentFiles
        #expect(after.count < before.count && after.count <= 2)
        #expect(after.first.flatMap(OutboxSegment.firstSequence(fileName:))! <= 191)
        #expect(outbox.byteCount < bytesBefore)
        #expect(try readAll(outbox, after: 190).map(\.sequence) == Array(191...200))
        try outbox.markDelivered(upTo: 200)
        #expect(try outbox.append(payload(201)) == 201)
    }

    @Test func aTornLastRecordIsSkippedWithAWarningAndAppendsContinue() throws {
        let scratch = ScratchDirectory()
        let segment = try abandonedOutbox(scratch, records: 10, fsync: .always)
        // Power loss mid-write: the last record's final bytes never reached the disk.
        let handle = try FileHandle(forUpdating: segment)
        let length = try handle.seekToEnd()
        try handle.truncate(atOffset: length - 5)
        try handle.close()

        let warnings = Warnings()
        let reopened = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .always), warn: warnings.handler)
        #expect(warnings.all.count == 1)
        #expect(warnings.all.first?.contains("torn or damaged record after sequence 9") == true)
        #expect(try readAll(reopened).map(\.payload) == (1...9).map(payload))
        #expect(try reopened.append(payload(1000)) == 10)
        try reopened.close()

        let again = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .always), warn: warnings.handler)
        #expect(warnings.all.count == 1, "the damage was cut off, so it is reported once")
        #expect(try readAll(again).map(\.payload) == (1...9).map(payload) + [payload(1000)])
    }

    @Test func aCursorPastALostTailComesBackSoNewRecordsAreNotTakenAsDelivered() throws {
        let scratch = ScratchDirectory()
        var outbox: Outbox? = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        for index in 1...10 { try outbox!.append(payload(index)) }
        try outbox!.markDelivered(upTo: 10)
        try outbox!.close()
        outbox = nil
        // fsync: never, then a power cut: the cursor file says 10, but only records 1...3 of the
        // segment reached the disk.
        let segment = scratch.url.appendingPathComponent(scratch.segmentFiles.last!)
        let whole = try Data(contentsOf: segment)
        let recordBytes = whole.count / 10
        try whole.prefix(3 * recordBytes).write(to: segment)

        outbox = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        #expect(outbox!.deliveredSequence == 3)
        for index in 4...5 { try outbox!.append(payload(index)) }
        try outbox!.close()
        outbox = nil
        // The next run must still send 4 and 5: the stored cursor came back to 3.
        let reopened = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        #expect(try readAll(reopened, after: reopened.deliveredSequence).map(\.sequence) == [4, 5])
    }

    @Test func aCorruptedLastRecordIsCaughtByItsChecksum() throws {
        let scratch = ScratchDirectory()
        let segment = try abandonedOutbox(scratch, records: 3, fsync: .never)
        var bytes = try Data(contentsOf: segment)
        bytes[bytes.count - 2] ^= 0x20  // one flipped bit in the last payload
        try bytes.write(to: segment)

        let warnings = Warnings()
        let reopened = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: warnings.handler)
        #expect(warnings.all.first?.contains("checksum") == true)
        #expect(try readAll(reopened).map(\.sequence) == [1, 2])
    }

    @Test func dropOldestKeepsTheNewestEventsWithinTheBudgetAndCountsTheRest() throws {
        let scratch = ScratchDirectory()
        let options = OutboxOptions(fsync: .never, maxBytes: 4096, policy: .dropOldest, segmentBytes: 1024)
        let warnings = Warnings()
        let outbox = try Outbox(directory: scratch.url, options: options, warn: warnings.handler)
        for index in 1...500 {
            try outbox.append(payload(index))
            #expect(outbox.byteCount <= 4096)
        }
        let kept = try readAll(outbox, after: outbox.deliveredSequence)
        #expect(outbox.droppedCount > 0)
        #expect(outbox.droppedCount + UInt64(kept.count) == 500, "every event is either kept or counted as dropped")
        #expect(kept.map(\.sequence) == Array(UInt64(500 - kept.count + 1)...500), "the newest, contiguous and in order")
        #expect(warnings.all.last?.contains("dropped") == true)
    }

    @Test func blockWaitsForDeliveryToFreeRoom() throws {
        let scratch = ScratchDirectory()
        let options = OutboxOptions(fsync: .never, maxBytes: 4096, policy: .block, segmentBytes: 1024)
        let outbox = try Outbox(directory: scratch.url, options: options, warn: { _ in })
        var appended = 0
        while outbox.byteCount + RecordFrame.frameBytes(payloadCount: payload(1).count) <= 4096 {
            appended += 1
            try outbox.append(payload(1))
        }
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? outbox.append(payload(2))
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 0.3) == .timedOut, "a full outbox blocks the appender")
        #expect(outbox.droppedCount == 0)
        try outbox.markDelivered(upTo: UInt64(appended / 2))
        #expect(finished.wait(timeout: .now() + 5) == .success, "delivery frees room and the append goes on")
        #expect(outbox.lastSequence == UInt64(appended + 1))
    }

    @Test func closeReleasesABlockedAppenderWithAnError() throws {
        let scratch = ScratchDirectory()
        let options = OutboxOptions(fsync: .never, maxBytes: 1024, policy: .block, segmentBytes: 256)
        let outbox = try Outbox(directory: scratch.url, options: options, warn: { _ in })
        while outbox.byteCount + RecordFrame.frameBytes(payloadCount: payload(1).count) <= 1024 {
            try outbox.append(payload(1))
        }
        let outcome = Warnings()
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { try outbox.append(payload(2)) } catch { outcome.handler("\(error)") }
            finished.signal()
        }
        usleep(100_000)
        try outbox.close()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.all.first?.contains("is closed") == true)
    }

    @Test(arguments: [OutboxOptions.Fsync.always, .interval(seconds: 30), .never])
    func aKilledProcessLosesNoUndeliveredRecord(fsync: OutboxOptions.Fsync) throws {
        let scratch = ScratchDirectory()
        let killed = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: fsync), warn: { _ in })
        for index in 1...50 { try killed.append(payload(index)) }
        try killed.markDelivered(upTo: 20)
        killed.abandon()

        let reopened = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: fsync), warn: { _ in })
        let replay = try readAll(reopened, after: reopened.deliveredSequence)
        // The cursor may lag (never ahead of what was acknowledged): at-least-once, in order.
        #expect(reopened.deliveredSequence <= 20)
        if fsync == .always { #expect(reopened.deliveredSequence == 20) }
        #expect(replay.map(\.sequence) == Array((reopened.deliveredSequence + 1)...50))
        #expect(try reopened.append(payload(51)) == 51)
    }

    @Test func oneProcessAtATime() throws {
        let scratch = ScratchDirectory()
        let first = try Outbox(directory: scratch.url, warn: { _ in })
        #expect(throws: OutboxError.inUse(directory: scratch.url.path)) {
            _ = try Outbox(directory: scratch.url, warn: { _ in })
        }
        try first.close()
        _ = try Outbox(directory: scratch.url, warn: { _ in })
    }

    @Test func aDirectoryThatCannotBeMadeIsOneClearError() throws {
        let scratch = ScratchDirectory()
        try FileManager.default.createDirectory(at: scratch.url, withIntermediateDirectories: true)
        let file = scratch.url.appendingPathComponent("a-file")
        try Data().write(to: file)
        do {
            _ = try Outbox(directory: file.appendingPathComponent("spool"), warn: { _ in })
            Issue.record("an outbox under a regular file opened")
        } catch let error as OutboxError {
            #expect("\(error)".hasPrefix("outbox directory \(file.path)/spool cannot be created"))
        }
    }

    @Test func aWaitingReaderWakesOnAppend() throws {
        let scratch = ScratchDirectory()
        let outbox = try Outbox(directory: scratch.url, options: OutboxOptions(fsync: .never), warn: { _ in })
        #expect(!outbox.waitForRecords(after: 0, timeout: 0.05))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { _ = try? outbox.append(payload(1)) }
        #expect(outbox.waitForRecords(after: 0, timeout: 5))
    }
}
