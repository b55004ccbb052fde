// `clipstream deliver OUTBOX_DIR`: sends what a stopped run left in a network sink's outbox,
// in order, to the destination the run recorded there (sink.json). The work is Pipeline's
// OutboxSender; here are the options and the exit status.
import ArgumentParser
import Foundation
import Pipeline

struct DeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Send the events a stopped run left in an outbox (an mqtt sink's outbox directory).",
        discussion: """
            Example: clipstream deliver spool/mqtt
            Prints {"sent","pending","dropped"} on stdout. Exits 0 once every event is \
            acknowledged by the broker, 1 if the broker has not taken them all within --timeout \
            (what is left stays in the outbox). Credentials come from CLIPSTREAM_MQTT_USERNAME \
            and CLIPSTREAM_MQTT_PASSWORD, as for the run.
            """)

    @Argument(help: "The outbox directory (the sink's `outbox` setting).")
    var outbox: String

    @Option(help: "Seconds to keep trying before giving up.")
    var timeout: Double = 30

    @Flag(help: "No warnings on stderr.")
    var quiet = false

    func validate() throws {
        if !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    func run() throws {
        let quiet = self.quiet
        let warn: @Sendable (String) -> Void = { message in
            if !quiet { FileHandle.standardError.write(Data("clipstream: warning: \(message)\n".utf8)) }
        }
        let directory = URL(fileURLWithPath: outbox)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError("outbox directory \(outbox) does not exist")
        }
        let destination = try OutboxDestination.read(from: directory)
        guard destination.kind == MQTTEventSink.kind else {
            throw CommandError("outbox \(outbox) is for a '\(destination.kind)' sink, which deliver cannot send")
        }
        let settings = try destination.mqttSettings()
        let journal = try Outbox(directory: directory, warn: warn)
        let before = journal.deliveredSequence
        var drained = true
        if journal.undeliveredCount > 0 {
            let sender = try OutboxSender(outbox: journal, settings: settings, warn: warn)
            try sender.start()
            drained = sender.drain(timeout: timeout)
            sender.stop()
        }
        let counts = (sent: journal.deliveredSequence - before, pending: journal.undeliveredCount, dropped: journal.droppedCount)
        try journal.close()
        print("{\"sent\":\(counts.sent),\"pending\":\(counts.pending),\"dropped\":\(counts.dropped)}")
        if !drained {
            throw CommandError("MQTT broker \(settings.displayName) did not take the outbox's \(counts.pending) pending "
                               + "events within \(JSONLine.number(timeout)) s; they stay in \(outbox)")
        }
    }
}
