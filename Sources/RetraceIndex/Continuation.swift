/// A run of tokens seen after a match, with how often it was seen.
public struct Continuation: Hashable, Sendable, Codable {
    /// Token ids, at most the requested length; shorter when the document ended.
    public var tokens: [UInt32]
    /// Occurrences of the match followed by exactly these tokens (and, when shorter than the
    /// requested length, by the end of a document).
    public var count: Int

    public init(tokens: [UInt32], count: Int) {
        self.tokens = tokens
        self.count = count
    }

    /// Ranking order: higher count first, then lexicographically smaller tokens.
    public static func ranksBefore(_ a: Continuation, _ b: Continuation) -> Bool {
        a.count != b.count ? a.count > b.count : a.tokens.lexicographicallyPrecedes(b.tokens)
    }
}
