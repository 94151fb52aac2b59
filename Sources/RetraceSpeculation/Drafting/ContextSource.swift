public import RetraceCore

/// Drafts from the live context (prompt and generated tokens) through a suffix automaton: the
/// continuations of the longest suffix seen earlier (and of shorter ones, which occurred more
/// often) are expanded best first. A node's evidence is how much the earlier occurrences
/// agree on it. Pure.
public struct ContextSource: CandidateSource {
    public var kind: DraftSource { .context }
    public private(set) var automaton = ContextSuffixAutomaton()
    /// Match lengths expanded: the longest, then shorter ones.
    public var matches: Int
    /// Most nodes proposed per step.
    public var nodes: Int
    /// Scratch space for a state's continuations, reused from step to step.
    private var children: [ContextSuffixAutomaton.Continuation] = []

    public var footprint: SourceFootprint {
        SourceFootprint(bytes: automaton.memoryBytes, items: automaton.tokens.count, item: "context tokens")
    }

    public init(matches: Int = 2, nodes: Int = 32) {
        self.matches = matches
        self.nodes = nodes
    }

    public mutating func start(prompt: [TokenID]) {
        automaton = ContextSuffixAutomaton()
        automaton.append(contentsOf: prompt)
    }

    public mutating func commit(_ tokens: [TokenID]) { automaton.append(contentsOf: tokens) }

    /// How much earlier occurrences agree on a continuation: 0 a single one, 1 all of several
    /// agree, 2 most do, 3 fewer than half.
    static func evidence(occurrences: Int, total: Int) -> Int {
        if total <= 1 { return 0 }
        if occurrences == total { return 1 }
        return occurrences * 2 > total ? 2 : 3
    }

    public mutating func propose(into sink: inout CandidateSink) {
        var frontier = Frontier<(state: ContextSuffixAutomaton.State, matchLength: Int)>()
        var match = automaton.longestRepeatedSuffix
        guard match.length > 0 else { return }
        while frontier.count < matches {
            frontier.push((match.state, match.length), at: -1)
            guard let shorter = automaton.shorter(match.state) else { break }
            match = shorter
        }
        var added = 0
        while added < nodes, let item = frontier.popBest(in: sink) {
            automaton.continuations(of: item.state.state, into: &children)
            let total = children.reduce(0) { $0 + $1.occurrences }
            for child in children {
                let proposal = DraftProposal(source: .context, matchLength: item.state.matchLength,
                                             evidence: Self.evidence(occurrences: child.occurrences, total: total))
                guard let node = sink.add(child.token, under: item.node, conditional: sink.conditional(under: item.node, proposal),
                                          proposal: proposal) else { continue }
                added += 1
                frontier.push((child.state, item.state.matchLength), at: node)
            }
        }
    }
}
