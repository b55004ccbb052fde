// Inputs a model cannot run on (wrong image size, token ids outside the vocabulary, ragged
// batches): one sentence saying what was given and what the model needs.
public struct ModelInputError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
