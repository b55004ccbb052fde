// One error type for everything OWL-ViT rejects: a single sentence that names the file or the
// argument and the problem, which the CLI prints as is.

public struct OWLViTError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
