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
    public private(set) var context = ContextLookup()
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
        /// Continuations taken from earlier occurrences in the live context.
        public var contextBranches = 2

        public init(maxDepth: Int = 12, indexBranches: Int = 4, contextBranches: Int = 2) {
            self.maxDepth = maxDepth
            self.indexBranches = indexBranches
            self.contextBranches = contextBranches
        }
    }

    public var maxDepth: Int { settings.maxDepth }

    public init(index: (any ContinuationProvider)?, settings: Settings = Settings()) {
        self.index = index
        self.settings = settings
    }

    /// Starts a session on `prompt`.
    public mutating func start(prompt: [TokenID]) {
        context = ContextLookup()
        context.append(prompt)
        lastTree = DraftTree()
        lastProposals = []
        session = SessionAcceptance()
    }

    /// Appends committed tokens to the live context.
    public mutating func commit(_ tokens: [TokenID]) { context.append(tokens) }

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
                if score < 0.01 { break }
                parent = tree.add(token, under: parent, score: score, source: DraftSources(source))
                if parent == proposals.count { proposals.append([]) }
                proposals[parent].append(Proposal(source: source, matchLength: matchLength, evidence: evidence))
            }
        }
        for match in context.matches(branches: settings.contextBranches, length: maxDepth) {
            let evidence = Self.evidence(match)
            let conditional = (1...match.continuation.count).map {
                calibration.acceptance(.context, matchLength: match.matchLength, depth: $0, evidence: evidence)
            }
            insert(match.continuation, conditional: conditional, source: .context, matchLength: match.matchLength, evidence: evidence)
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

    /// How much the live context agrees with a match: 0 a single earlier occurrence, 1 all of
    /// several agree on the next token, 2 most do, 3 fewer than half.
    static func evidence(_ match: ContextLookup.Match) -> Int {
        if match.candidates <= 1 { return 0 }
        if match.support == match.candidates { return 1 }
        return match.support * 2 > match.candidates ? 2 : 3
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
