/// Where a drafted token came from. Statistics credit accepted tokens to these.
public enum DraftSource: Int, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// The persistent index: corpus and past generations.
    case index
    /// The live context: prompt and generated tokens.
    case context
    /// Adaptive tri-gram statistics of what the session has seen and accepted (ADED).
    case trigram
    /// The target's own recent top-k followers of each token (Token Recycling).
    case recycled
    /// N-gram tries of earlier prompts and outputs, global and per tenant (Lookahead).
    case trie
    /// A draft model (a small model, or one reading a shortened context).
    case model

    public var description: String {
        switch self {
        case .index: "index"
        case .context: "context"
        case .trigram: "trigram"
        case .recycled: "recycled"
        case .trie: "trie"
        case .model: "model"
        }
    }

    /// The source named `name` (its ``description``).
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = found
    }
}

/// A small set of ``DraftSource``s.
public struct DraftSources: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ source: DraftSource) { rawValue = 1 << UInt16(source.rawValue) }

    public var members: [DraftSource] { DraftSource.allCases.filter { contains(DraftSources($0)) } }
}
