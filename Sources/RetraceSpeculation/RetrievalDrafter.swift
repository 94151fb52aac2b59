public import RetraceCore

/// The fused drafter: every enabled ``CandidateSource`` (the persistent index, the live
/// context, tri-gram statistics, recycled top-k tokens, n-gram tries, a draft model) proposes
/// candidates into one tree, merged by longest prefix (RASD-style), each node scored with the
/// estimated probability that the target accepts its whole path: the online-calibrated
/// acceptance of every source that proposed it, combined (see ``CandidateSink``). Learns per
/// source from every verification. Pure given its index provider and draft model.
public struct RetrievalDrafter: Drafter {
    public private(set) var sources: [any CandidateSource] = []
    /// What the drafter has learned about its sources; carried across generations, and across
    /// processes when the host stores ``SourceCalibration/entries``.
    public var calibration = SourceCalibration()
    /// How this generation's drafts fare against their scores (reset by ``start(prompt:)``).
    public private(set) var session = SessionAcceptance()
    public let settings: Settings
    /// The last tree drafted (before any sizing) and, per node, who proposed it. A verified
    /// tree is mapped back onto it by token paths, since pruning renumbers nodes.
    private var lastTree = DraftTree()
    private var lastProposals = ProposalTable()
    /// Per node of the last tree, its cell of the agreement calibration.
    private var lastCells: [Int] = []

    /// What the drafter draws on, and how much per step.
    public struct Settings: Sendable, Equatable {
        /// The sources drafted from (the index only when one is given).
        public var sources: Set<DraftSource> = Set(DraftSource.allCases)
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
        /// How much agreeing sources add to the strongest one (see ``CandidateSink/agreement``).
        public var agreement = 0.5

        public init(sources: Set<DraftSource> = Set(DraftSource.allCases), maxDepth: Int = 12, indexBranches: Int = 4,
                    contextMatches: Int = 2, contextNodes: Int = 32, minimumScore: Double = 0.002,
                    agreement: Double = 0.5) {
            self.sources = sources
            self.maxDepth = maxDepth
            self.indexBranches = indexBranches
            self.contextMatches = contextMatches
            self.contextNodes = contextNodes
            self.minimumScore = minimumScore
            self.agreement = agreement
        }
    }

    public var maxDepth: Int { settings.maxDepth }

    /// A drafter over `index` (nil: none) and, when given, a draft model whose trees join the
    /// fusion and judge the retrieval branches.
    public init(index: (any ContinuationProvider)?, model: (any DraftModel)? = nil, settings: Settings = Settings()) {
        self.settings = settings
        for kind in DraftSource.allCases where settings.sources.contains(kind) {
            switch kind {
            case .index:
                if let index, settings.indexBranches > 0 { sources.append(IndexSource(provider: index, branches: settings.indexBranches)) }
            case .context:
                if settings.contextMatches > 0 {
                    sources.append(ContextSource(matches: settings.contextMatches, nodes: settings.contextNodes))
                }
            case .trigram:
                sources.append(TrigramSource())
            case .recycled:
                sources.append(RecycledTokenSource())
            case .trie:
                sources.append(TrieSource())
            case .model:
                if let model { sources.append(ModelDraftSource(model: model)) }
            }
        }
    }

    /// The n-gram tries source, for hosts that persist its tries or set a tenant (nil when the
    /// settings leave it out). Setting it replaces the source's state.
    public var trieSource: TrieSource? {
        get { sources.lazy.compactMap { $0 as? TrieSource }.first }
        set {
            guard let newValue, let i = sources.firstIndex(where: { $0 is TrieSource }) else { return }
            sources[i] = newValue
        }
    }

    /// Memory each source holds now.
    public var footprints: [(source: DraftSource, footprint: SourceFootprint)] { sources.map { ($0.kind, $0.footprint) } }

    /// Starts a session on `prompt`.
    public mutating func start(prompt: [TokenID]) {
        for i in sources.indices { sources[i].start(prompt: prompt) }
        lastTree = DraftTree()
        lastProposals = ProposalTable()
        lastCells = []
        session = SessionAcceptance()
    }

    /// Appends committed tokens to every source.
    public mutating func commit(_ tokens: [TokenID]) {
        for i in sources.indices { sources[i].commit(tokens) }
    }

    /// Drafts a tree continuing the committed text.
    public mutating func draft() throws -> DraftTree {
        var sink = CandidateSink(calibration: calibration, factor: session.factor, minimumScore: settings.minimumScore,
                                 maxDepth: maxDepth, agreement: settings.agreement)
        for i in sources.indices { try sources[i].propose(into: &sink) }
        (lastTree, lastProposals, lastCells) = sink.finish()
        return lastTree
    }

    /// Learns from a verification of the last drafted tree.
    public mutating func learn(from tree: DraftTree, result: VerificationResult) {
        // A tree is learned from once (a host may commit without drafting in between).
        defer {
            lastTree = DraftTree()
            lastCells = []
        }
        for i in sources.indices { sources[i].observe(tree: tree, result: result) }
        // Scores carry the session factor; the expectation is the calibration's own.
        let factor = session.factor
        session.record(expected: tree.scores.reduce(0, +) / factor, accepted: result.acceptedDraftTokens)
        // Every drafted node whose parent the target accepted (verified, or cut by the sizer)
        // was the target's token or not: the committed tokens say which. Each such level is one
        // try for every source that proposed a child there (a hit if its child was the
        // target's token), and one for each child's set of agreeing sources.
        var node = -1
        for (level, token) in result.tokens.enumerated() {
            var tried: [DraftSource: (proposal: DraftProposal, hit: Bool)] = [:]
            for child in lastTree.children(of: node) {
                let hit = lastTree.tokens[child] == token
                calibration.agreement.record(cell: lastCells[child], accepted: hit)
                for proposal in lastProposals.proposals(of: child) {
                    if let earlier = tried[proposal.source] {
                        tried[proposal.source]!.hit = earlier.hit || hit
                    } else {
                        tried[proposal.source] = (proposal, hit)
                    }
                }
            }
            for (source, (proposal, hit)) in tried {
                calibration.record(source, matchLength: proposal.matchLength, depth: level + 1,
                                   evidence: proposal.evidence, accepted: hit)
            }
            guard let next = lastTree.child(of: node, token: token) else { break }
            node = next
        }
    }
}
