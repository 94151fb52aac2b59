public import RetraceCore

/// Where the index source finds stored continuations: the persistent index, or any stand-in.
public protocol ContinuationProvider {
    /// The longest suffix of `context` found, its occurrence count, and the most frequent
    /// continuations (at most `top`, at most `length` tokens) with their counts. `state` is
    /// what the provider carries between queries of one growing text; it may use it to answer
    /// faster, never differently.
    func continuations(of context: [TokenID], top: Int, length: Int, state: inout ContinuationState) throws
        -> (matchLength: Int, occurrences: Int, continuations: [(tokens: [TokenID], count: Int)])
}

/// What a ``ContinuationProvider`` carries from one query of a growing text to the next: how
/// many tokens the text gained since, and the provider's own memo (opaque to drafters).
public struct ContinuationState: Sendable {
    /// Tokens added to the text since the last query.
    public var appended = 0
    /// The provider's own record of the last query (nil: none, a new text).
    public var memo: (any Sendable)?

    public init() {}
}

/// Drafts from the persistent index (corpus and past generations), REST-style: the most
/// frequent continuations of the longest stored suffix of the committed text, each token
/// scored by its calibrated acceptance times its conditional frequency among them.
public struct IndexSource: CandidateSource {
    public var kind: DraftSource { .index }
    public var provider: any ContinuationProvider
    /// Continuations taken per step.
    public var branches: Int
    /// Committed tokens looked up (the tail of the text).
    public var window = 32
    private var tail: [TokenID] = []
    private var state = ContinuationState()

    public init(provider: any ContinuationProvider, branches: Int = 4) {
        self.provider = provider
        self.branches = branches
    }

    public mutating func start(prompt: [TokenID]) {
        tail = Array(prompt.suffix(window))
        state = ContinuationState()
    }

    public mutating func commit(_ tokens: [TokenID]) {
        tail += tokens
        state.appended += tokens.count
        if tail.count > 2 * window { tail.removeFirst(tail.count - window) }
    }

    public mutating func propose(into sink: inout CandidateSink) throws {
        guard branches > 0, !tail.isEmpty else { return }
        let found = try provider.continuations(of: Array(tail.suffix(window)), top: branches, length: sink.maxDepth,
                                               state: &state)
        guard found.matchLength > 0, found.occurrences > 0 else { return }
        let all = found.continuations
        // Conditional frequency of each prefix among the returned continuations.
        func prefixCount(_ tokens: [TokenID], _ k: Int) -> Int {
            all.reduce(0) { $0 + ($1.tokens.count >= k && $1.tokens[..<k].elementsEqual(tokens[..<k]) ? $1.count : 0) }
        }
        let proposal = DraftProposal(source: .index, matchLength: found.matchLength)
        for c in all where !c.tokens.isEmpty {
            var frequency: [Double] = []
            var parentCount = found.occurrences
            for k in 1...c.tokens.count {
                let count = prefixCount(c.tokens, k)
                frequency.append(Double(count) / Double(max(parentCount, 1)))
                parentCount = count
            }
            sink.addChain(c.tokens, frequency: frequency, proposal: proposal)
        }
    }
}
