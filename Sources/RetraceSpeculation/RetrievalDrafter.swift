public import RetraceCore

/// Where the drafter finds stored continuations: the persistent index, or any stand-in.
public protocol ContinuationProvider {
    /// The longest suffix of `context` found, its occurrence count, and the most frequent
    /// continuations (at most `top`, at most `length` tokens) with their counts.
    func continuations(of context: [TokenID], top: Int, length: Int) throws
        -> (matchLength: Int, occurrences: Int, continuations: [(tokens: [TokenID], count: Int)])
}

/// The first Retrace drafter: merges stored continuations from the index and earlier
/// occurrences in the live context into one tree by longest prefix, scoring each node with
/// the estimated probability that the target accepts its whole path (retrieval frequencies
/// times the sources' online-calibrated acceptance). Pure given its provider.
public struct RetrievalDrafter: Drafter {
    public var index: (any ContinuationProvider)?
    public private(set) var context = ContextSuffixAutomaton()
    /// What the drafter has learned about its sources; carried across generations, and across
    /// processes when the host stores ``SourceCalibration/entries``.
    public var calibration = SourceCalibration()
    /// How this generation's drafts fare against their scores (reset by ``start(prompt:)``).
    public private(set) var session = SessionAcceptance()
    public var settings: Settings
    /// The last tree drafted (before any pruning) and, per node, who proposed it. A verified
    /// tree is mapped back onto it by token paths, since pruning renumbers nodes.
    private var lastTree = DraftTree()
    private var lastProposals: [[Proposal]] = []

    /// Who proposed a path, and on what evidence: the calibration key it is learned under.
    private struct Proposal { var source: DraftSource; var matchLength: Int; var evidence: Int }

    /// How much the drafter retrieves per step.
    public struct Settings: Sendable, Equatable {
        /// Deepest drafted token.
        public var maxDepth = 12
        /// Continuations taken from the index.
        public var indexBranches = 4
        /// Match lengths expanded in the live context: the longest suffix that occurred
        /// earlier, then shorter ones (which occurred more often).
        public var contextMatches = 2
        /// Most nodes taken from the live context per step.
        public var contextNodes = 32
        /// Paths whose estimated acceptance falls below this are not drafted.
        public var minimumScore = 0.002

        public init(maxDepth: Int = 12, indexBranches: Int = 4, contextMatches: Int = 2, contextNodes: Int = 32,
                    minimumScore: Double = 0.002) {
            self.maxDepth = maxDepth
            self.indexBranches = indexBranches
            self.contextMatches = contextMatches
            self.contextNodes = contextNodes
            self.minimumScore = minimumScore
        }
    }

    public var maxDepth: Int { settings.maxDepth }

    public init(index: (any ContinuationProvider)?, settings: Settings = Settings()) {
        self.index = index
        self.settings = settings
    }

    /// Starts a session on `prompt`.
    public mutating func start(prompt: [TokenID]) {
        context = ContextSuffixAutomaton()
        context.append(contentsOf: prompt)
        lastTree = DraftTree()
        lastProposals = []
        session = SessionAcceptance()
    }

    /// Appends committed tokens to the live context.
    public mutating func commit(_ tokens: [TokenID]) { context.append(contentsOf: tokens) }

    /// Drafts a tree continuing the live context.
    public mutating func draft() throws -> DraftTree {
        var tree = DraftTree()
        var proposals: [[Proposal]] = []
        let factor = session.factor
        func insert(_ path: [TokenID], conditional: [Double], source: DraftSource, matchLength: Int, evidence: Int = 0) {
            var parent = -1
            var score = factor
            for (token, q) in zip(path, conditional) {
                score *= q
                if score < settings.minimumScore { break }
                parent = tree.add(token, under: parent, score: score, source: DraftSources(source))
                if parent == proposals.count { proposals.append([]) }
                proposals[parent].append(Proposal(source: source, matchLength: matchLength, evidence: evidence))
            }
        }
        draftFromContext(factor: factor) { token, parent, score, proposal in
            guard score >= settings.minimumScore else { return nil }
            let node = tree.add(token, under: parent, score: score, source: DraftSources(proposal.source))
            if node == proposals.count { proposals.append([]) }
            proposals[node].append(proposal)
            return node
        }
        if let index, settings.indexBranches > 0, !context.tokens.isEmpty {
            let found = try index.continuations(of: Array(context.tokens.suffix(32)), top: settings.indexBranches, length: maxDepth)
            if found.matchLength > 0, found.occurrences > 0 {
                // Conditional frequency of each prefix among the returned continuations.
                let all = found.continuations
                func prefixCount(_ tokens: [TokenID], _ k: Int) -> Int {
                    all.reduce(0) { $0 + ($1.tokens.count >= k && $1.tokens[..<k].elementsEqual(tokens[..<k]) ? $1.count : 0) }
                }
                for c in all {
                    var conditional: [Double] = []
                    var parentCount = found.occurrences
                    for k in 1...c.tokens.count {
                        let count = prefixCount(c.tokens, k)
                        let a = calibration.acceptance(.index, matchLength: found.matchLength, depth: k)
                        conditional.append(a * Double(count) / Double(max(parentCount, 1)))
                        parentCount = count
                    }
                    insert(c.tokens, conditional: conditional, source: .index, matchLength: found.matchLength)
                }
            }
        }
        lastTree = tree
        lastProposals = proposals
        return tree
    }

    /// How much the live context agrees on a continuation: 0 a single earlier occurrence,
    /// 1 all of several agree, 2 most do, 3 fewer than half.
    static func evidence(occurrences: Int, total: Int) -> Int {
        if total <= 1 { return 0 }
        if occurrences == total { return 1 }
        return occurrences * 2 > total ? 2 : 3
    }

    /// Expands the continuations of the context's longest earlier-seen suffix (and of shorter
    /// ones) best first: each token that followed the matched pattern is a child, scored by the
    /// calibrated acceptance for its match length, depth and agreement; `add` places a node in
    /// the tree (nil when it is not worth drafting) and returns it.
    private func draftFromContext(factor: Double,
                                  add: (TokenID, Int, Double, Proposal) -> Int?) {
        struct Frontier { var score: Double; var state: ContextSuffixAutomaton.State; var parent: Int; var depth: Int; var matchLength: Int }
        var frontier: [Frontier] = []
        func push(_ state: ContextSuffixAutomaton.State, parent: Int, depth: Int, score: Double, matchLength: Int) {
            frontier.append(Frontier(score: score, state: state, parent: parent, depth: depth, matchLength: matchLength))
        }
        var match = context.longestRepeatedSuffix
        guard match.length > 0 else { return }
        var roots = 0
        while roots < settings.contextMatches {
            push(match.state, parent: -1, depth: 0, score: factor, matchLength: match.length)
            roots += 1
            guard let shorter = context.shorter(match.state) else { break }
            match = shorter
        }
        var added = 0
        while added < settings.contextNodes, let best = frontier.indices.max(by: { frontier[$0].score < frontier[$1].score }) {
            frontier.swapAt(best, frontier.count - 1)
            let item = frontier.removeLast()
            guard item.depth < maxDepth else { continue }
            let children = context.continuations(of: item.state)
            let total = children.reduce(0) { $0 + $1.occurrences }
            for child in children {
                let evidence = Self.evidence(occurrences: child.occurrences, total: total)
                let score = item.score * calibration.acceptance(.context, matchLength: item.matchLength, depth: item.depth + 1,
                                                                evidence: evidence)
                let proposal = Proposal(source: .context, matchLength: item.matchLength, evidence: evidence)
                guard let node = add(child.token, item.parent, score, proposal) else { continue }
                added += 1
                push(child.state, parent: node, depth: item.depth + 1, score: score, matchLength: item.matchLength)
            }
        }
    }

    /// Learns from a verification of the last drafted tree.
    public mutating func learn(from tree: DraftTree, result: VerificationResult) {
        // Scores carry the session factor; the expectation is the calibration's own.
        let factor = session.factor
        session.record(expected: tree.scores.reduce(0, +) / factor, accepted: result.acceptedDraftTokens)
        // Along the accepted path, each level is one try for every source that proposed a
        // child there: a hit if its child was the target's token.
        var parent = -1       // in the verified tree
        var drafted = -1      // the same node in the tree as drafted
        var levelIndex = 0
        while true {
            let accepted = levelIndex < result.acceptedNodes.count ? result.acceptedNodes[levelIndex] : nil
            var acceptedDrafted: Int?
            var tried: [DraftSource: (proposal: Proposal, hit: Bool)] = [:]
            for child in tree.children(of: parent) {
                guard let original = lastTree.child(of: drafted, token: tree.tokens[child]) else { continue }
                let hit = child == accepted
                if hit { acceptedDrafted = original }
                for proposal in lastProposals[original] {
                    if let earlier = tried[proposal.source] {
                        tried[proposal.source]!.hit = earlier.hit || hit
                    } else {
                        tried[proposal.source] = (proposal, hit)
                    }
                }
            }
            for (source, (proposal, hit)) in tried {
                calibration.record(source, matchLength: proposal.matchLength, depth: levelIndex + 1,
                                   evidence: proposal.evidence, accepted: hit)
            }
            guard let next = accepted, let nextDrafted = acceptedDrafted else { break }
            parent = next
            drafted = nextDrafted
            levelIndex += 1
        }
    }
}
