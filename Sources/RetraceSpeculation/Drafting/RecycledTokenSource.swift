public import RetraceCore

/// Token Recycling: remembers, for every token the target has been run on, the target's own
/// latest top-k next tokens there (verified and rejected draft nodes alike), and drafts by
/// expanding these followers breadth first from the last committed token. Kept across
/// generations, as the table is cheap and stays useful. Needs hosts that report top tokens
/// (``TargetPredictions/topTokens``); without them it learns only the committed tokens. Pure.
public struct RecycledTokenSource: CandidateSource {
    public var kind: DraftSource { .recycled }
    /// Latest top-k followers of each token, best first.
    public private(set) var followers: [TokenID: [TokenID]] = [:]
    /// Followers kept per token.
    public var k: Int
    /// Children expanded per node at each depth (the static tree shape of Token Recycling).
    public var branching: [Int]
    private var last: TokenID?

    public var footprint: SourceFootprint { SourceFootprint(bytes: memoryBytes, items: followers.count, item: "tokens") }

    public init(k: Int = 8, branching: [Int] = [3, 2, 1, 1, 1, 1]) {
        self.k = k
        self.branching = branching
    }

    /// Bytes the follower table holds.
    public var memoryBytes: Int { followers.capacity * 24 + followers.values.reduce(0) { $0 + $1.capacity * 4 } }

    public mutating func start(prompt: [TokenID]) {
        learnSequence(prompt)
        last = prompt.last
    }

    public mutating func commit(_ tokens: [TokenID]) {
        var sequence = last.map { [$0] } ?? []
        sequence += tokens
        learnSequence(sequence)
        last = tokens.last ?? last
    }

    /// Committed text says at least what came next: move it to the front if it is unknown.
    private mutating func learnSequence(_ tokens: [TokenID]) {
        for (a, b) in zip(tokens, tokens.dropFirst()) where followers[a]?.first != b {
            var list = followers[a] ?? []
            if let i = list.firstIndex(of: b) { list.remove(at: i) }
            list.insert(b, at: 0)
            if list.count > k { list.removeLast() }
            followers[a] = list
        }
    }

    public mutating func observe(tree: DraftTree, result: VerificationResult) {
        guard !result.topTokens.isEmpty, let last else { return }
        if !result.topTokens[0].isEmpty { followers[last] = Array(result.topTokens[0].prefix(k)) }
        for node in 0..<min(tree.count, result.topTokens.count - 1) where !result.topTokens[node + 1].isEmpty {
            followers[tree.tokens[node]] = Array(result.topTokens[node + 1].prefix(k))
        }
    }

    public mutating func propose(into sink: inout CandidateSink) {
        guard let last else { return }
        var level: [(node: Int, token: TokenID)] = [(-1, last)]
        for width in branching {
            var next: [(node: Int, token: TokenID)] = []
            for (parent, token) in level {
                guard let list = followers[token] else { continue }
                for (rank, follower) in list.prefix(width).enumerated() {
                    let proposal = DraftProposal(source: .recycled, matchLength: rank + 1)
                    if let node = sink.add(follower, under: parent, conditional: sink.conditional(under: parent, proposal),
                                           proposal: proposal) {
                        next.append((node, follower))
                    }
                }
            }
            if next.isEmpty { return }
            level = next
        }
    }
}
