// Ctrl-C and SIGTERM while `clipstream run` works: the first stops the input gracefully (events
// flushed, video finalised), a second ends the process at once.
//
// The signal handler only writes the signal's number to a pipe (write(2) is async-signal-safe);
// a thread of our own reads the pipe and does the work outside signal context. The kernel may
// hand a process-directed signal to any thread that does not block it — OpenBLAS starts its
// threads before main — so a handler that runs on whichever thread gets it is what works
// everywhere, ThreadSanitizer's signal interception included (a Dispatch signal source is
// never fed under it). Outside a run the signals keep the disposition the process started with.
import Foundation

enum StopSignals {
    static let numbers = [SIGINT, SIGTERM]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handler: (() -> Void)?
    nonisolated(unsafe) private static var stopping = false
    nonisolated(unsafe) private static var previous: [Int32: sigaction] = [:]
    /// The pipe's write end, read by the signal handler; set once, before the handler is installed.
    nonisolated(unsafe) private static var notifyDescriptor: Int32 = -1
    private static let watcher: Void = startWatcher()

    /// From now on the first signal calls `stop` (once); a second ends the process.
    static func onStop(_ stop: @escaping () -> Void) {
        _ = watcher
        lock.withLock {
            handler = stop
            stopping = false
            for number in numbers {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = write(StopSignals.notifyDescriptor, &byte, 1)
                }
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                var old = sigaction()
                sigaction(number, &action, &old)
                if previous[number] == nil { previous[number] = old }
            }
        }
        // The calling (main) thread blocks them while the run lasts: it waits for the stages
        // inside libdispatch's futex wait, where ThreadSanitizer cannot deliver a signal, and the
        // kernel offers a process-directed signal to the main thread first. The watcher thread
        // unblocks them for itself, so some thread always takes them.
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// The signals get back the disposition the process started with, and the calling thread
    /// takes them again.
    static func restoreDefault() {
        lock.withLock {
            handler = nil
            for (number, var old) in previous { sigaction(number, &old, nil) }
            previous = [:]
        }
        var set = signalSet()
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    private static func startWatcher() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        notifyDescriptor = ends[1]
        let readEnd = ends[0]
        let thread = Thread {
            var set = signalSet()
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            var byte: UInt8 = 0
            // Never returns: the write end stays open for the life of the process, and a failed
            // read (EINTR) is simply retried.
            while true {
                if read(readEnd, &byte, 1) == 1 { received(Int32(byte)) }
            }
        }
        thread.name = "clipstream.signals"
        thread.start()
    }

    private static func received(_ number: Int32) {
        let stop: (() -> Void)? = lock.withLock {
            if stopping { return nil }
            stopping = handler != nil
            return handler
        }
        guard let stop else { endProcess(number) }
        stop()
    }

    /// The signal's default action: the process dies of it, as it would have unhandled.
    private static func endProcess(_ number: Int32) -> Never {
        signal(number, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(number)
        exit(128 + number)  // not reached: the default action of both signals is to terminate
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
        return set
    }
}
