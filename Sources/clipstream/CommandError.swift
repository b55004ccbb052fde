// A command's own failure, as the one sentence the user sees (a file that cannot be written, an
// outbox that could not be sent); the exit status is that of bad input.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
