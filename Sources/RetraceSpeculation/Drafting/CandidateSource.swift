public import RetraceCore

/// One place drafts come from (the index, the live context, tri-gram statistics, recycled
/// top-k tokens, …). A source keeps its own state, follows the committed text, proposes
/// candidate continuations into a ``CandidateSink`` and may learn from what the target said
/// about the last tree. The fused drafter merges every source's candidates into one tree.
public protocol CandidateSource {
    /// The source its candidates are credited to and calibrated as.
    var kind: DraftSource { get }
    /// Starts a session on `prompt`.
    mutating func start(prompt: [TokenID])
    /// Tokens committed by a step.
    mutating func commit(_ tokens: [TokenID])
    /// Adds this source's candidates for the continuation of the committed text.
    mutating func propose(into sink: inout CandidateSink) throws
    /// What the target said about the last verified tree (nodes are those of `tree`).
    mutating func observe(tree: DraftTree, result: VerificationResult)
    /// Memory the source holds now, and how many items it stores.
    var footprint: SourceFootprint { get }
}

extension CandidateSource {
    public mutating func observe(tree: DraftTree, result: VerificationResult) {}
    public var footprint: SourceFootprint { SourceFootprint(bytes: 0, items: 0, item: "items") }
}

/// Memory a drafting source holds, and what it stores (to report bytes per stored item).
public struct SourceFootprint: Sendable, Equatable {
    public var bytes: Int
    public var items: Int
    /// What an item is ("context tokens", "trie nodes", …).
    public var item: String

    public init(bytes: Int, items: Int, item: String) {
        self.bytes = bytes
        self.items = items
        self.item = item
    }
}

/// Who proposed a drafted node, and on what evidence: the key its acceptance is calibrated
/// under (what `matchLength` and `evidence` mean is the source's own business).
public struct DraftProposal: Sendable, Equatable {
    public var source: DraftSource
    public var matchLength: Int
    public var evidence: Int

    public init(source: DraftSource, matchLength: Int, evidence: Int = 0) {
        self.source = source
        self.matchLength = matchLength
        self.evidence = evidence
    }
}
