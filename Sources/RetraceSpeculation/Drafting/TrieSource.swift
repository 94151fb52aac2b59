public import RetraceCore

/// Drafts from Lookahead-style n-gram tries fed online with prompts and committed output:
/// a global trie, shared by every generation, and optionally a tenant's own. Retrieval is
/// hierarchical and multi-branch: the longest suffix of the text (up to ``maxPrefix`` tokens)
/// that a trie knows, then shorter ones, each expanded best first by branch frequency. The
/// tries are kept bounded by decay and pruning; hosts persist them (``NGramTrie/takeChanges()``).
/// Pure.
public struct TrieSource: CandidateSource {
    public var kind: DraftSource { .trie }
    /// Every generation's windows.
    public var global = NGramTrie()
    /// The current tenant's windows, when there is a tenant.
    public var tenant: NGramTrie?
    /// Length of the windows inserted (prefix and continuation).
    public var windowLength = 16
    /// Longest suffix of the text looked up.
    public var maxPrefix = 6
    /// Prefix lengths expanded per step (the longest known, then shorter ones).
    public var levels = 2
    /// Most nodes proposed per step.
    public var nodes = 16
    /// Weight of a prompt's windows against generated ones.
    public var promptWeight = 0.5
    /// Each trie decays by this factor per generation, and is pruned to ``maxNodes``.
    public var decayPerGeneration = 0.95
    public var maxNodes = 200_000
    /// The text of this generation, and the first window start not yet inserted.
    private var text: [TokenID] = []
    private var pendingStart = 0
    private var promptLength = 0

    public var footprint: SourceFootprint {
        SourceFootprint(bytes: global.memoryBytes + (tenant?.memoryBytes ?? 0),
                        items: global.nodeCount + (tenant?.nodeCount ?? 0), item: "trie nodes")
    }

    public init() {}

    public mutating func start(prompt: [TokenID]) {
        flush()
        // Past the limit, prune well below it, so pruning (a sort of every count) stays rare.
        global.decay(by: decayPerGeneration)
        if global.nodeCount > maxNodes { global.prune(to: maxNodes * 3 / 4) }
        if tenant != nil {
            tenant!.decay(by: decayPerGeneration)
            if tenant!.nodeCount > maxNodes { tenant!.prune(to: maxNodes * 3 / 4) }
        }
        text = prompt
        promptLength = prompt.count
        pendingStart = 0
        insertCompleteWindows()
    }

    public mutating func commit(_ tokens: [TokenID]) {
        text += tokens
        insertCompleteWindows()
    }

    /// Inserts the windows the text has so far left out (the last ones are shorter than
    /// ``windowLength``); done when the next generation starts.
    public mutating func flush() {
        while pendingStart < text.count { insertWindow(at: pendingStart, end: text.count) }
    }

    private mutating func insertCompleteWindows() {
        while text.count - pendingStart >= windowLength { insertWindow(at: pendingStart, end: pendingStart + windowLength) }
    }

    private mutating func insertWindow(at start: Int, end: Int) {
        let window = text[start..<end]
        let weight = end <= promptLength ? promptWeight : 1
        global.insert(window, weight: weight)
        tenant?.insert(window, weight: weight)
        pendingStart = start + 1
    }

    public mutating func propose(into sink: inout CandidateSink) {
        // Taken out while in use (the proposing reads the rest of the source).
        var children = self.children
        self.children = []
        if let tenant { propose(from: tenant, into: &sink, children: &children) }
        propose(from: global, into: &sink, children: &children)
        self.children = children
    }

    /// Scratch space for a node's best children, reused from step to step.
    private var children: [(token: TokenID, node: Int, count: Double)] = []

    private func propose(from trie: NGramTrie, into sink: inout CandidateSink,
                         children: inout [(token: TokenID, node: Int, count: Double)]) {
        var frontier = Frontier<(trieNode: Int, matchLength: Int)>()
        var length = min(maxPrefix, text.count)
        while length > 0 && frontier.count < levels {
            if let n = trie.node(of: text.suffix(length)), trie.count(of: n) > 0, trie.hasChildren(n) {
                frontier.push((n, length), at: -1)
            }
            length -= 1
        }
        var added = 0
        while added < nodes, let item = frontier.popBest(in: sink) {
            let total = trie.topChildren(of: item.state.trieNode, limit: 3, into: &children)
            guard total > 0 else { continue }
            for child in children {
                let share = child.count / total
                let evidence = total < 1.5 ? 0 : share >= 0.99 ? 1 : share > 0.5 ? 2 : 3
                let proposal = DraftProposal(source: .trie, matchLength: item.state.matchLength, evidence: evidence)
                guard let node = sink.add(child.token, under: item.node, conditional: sink.conditional(under: item.node, proposal),
                                          proposal: proposal) else { continue }
                added += 1
                frontier.push((child.node, item.state.matchLength), at: node)
            }
        }
    }
}
