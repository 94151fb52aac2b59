public import RetraceCore
import Foundation

/// Where sources put candidates: one tree merged by longest prefix (RASD-style fusion). Each
/// node keeps, per source that proposed it, the conditional probability that the target
/// accepts it given its parent was accepted; its path score is the parent's times the
/// combination of those conditionals, so a token several sources agree on scores higher than
/// any one of them alone gives it, by as much as that set of sources has earned so far (see
/// ``AgreementCalibration``). Pure.
public struct CandidateSink {
    public let calibration: SourceCalibration
    /// Multiplies every path score (the session's acceptance factor).
    public let factor: Double
    /// Nodes scoring below this are not added.
    public let minimumScore: Double
    /// Deepest node added.
    public let maxDepth: Int
    /// How much agreeing sources add to the strongest one: 0 takes the strongest alone, 1
    /// treats them as independent evidence (noisy-or).
    public let agreement: Double
    public private(set) var tree = DraftTree(capacity: Self.typicalNodes)
    /// Per node, every proposal that reached it.
    public private(set) var proposals = ProposalTable(capacity: Self.typicalNodes)
    /// Room reserved up front: most drafts stay below it, so building one allocates little.
    private static let typicalNodes = 96
    /// Per node and source (flat, `DraftSource.allCases.count` per node), the best conditional
    /// that source gave it; 0 where it did not propose the node.
    private var conditionals: [Double] = {
        var c: [Double] = []
        c.reserveCapacity(typicalNodes * sourceCount)
        return c
    }()
    private static let sourceCount = DraftSource.allCases.count

    public init(calibration: SourceCalibration, factor: Double = 1, minimumScore: Double = 0.002, maxDepth: Int = 12,
                agreement: Double = 0.5) {
        self.calibration = calibration
        self.factor = factor
        self.minimumScore = minimumScore
        self.maxDepth = maxDepth
        self.agreement = agreement
    }

    /// The path score of `node`, or of the root (the factor) for -1.
    public func score(of node: Int) -> Double { node < 0 ? factor : tree.scores[node] }

    /// The depth a child of `node` would have.
    public func childDepth(of node: Int) -> Int { node < 0 ? 1 : tree.depths[node] + 1 }

    /// The calibrated conditional acceptance of a child of `parent` proposed on `proposal`.
    public func conditional(under parent: Int, _ proposal: DraftProposal) -> Double {
        calibration.acceptance(proposal.source, matchLength: proposal.matchLength, depth: childDepth(of: parent),
                               evidence: proposal.evidence)
    }

    /// Adds `token` under `parent` (-1: the root), accepted with probability `conditional`
    /// once its parent is, merging into an existing child with that token. Nil when the node
    /// is too deep or its path scores too low.
    @discardableResult
    public mutating func add(_ token: TokenID, under parent: Int, conditional: Double, proposal: DraftProposal) -> Int? {
        guard childDepth(of: parent) <= maxDepth else { return nil }
        let slot = proposal.source.rawValue
        if let existing = tree.child(of: parent, token: token) {
            let i = existing * Self.sourceCount + slot
            conditionals[i] = max(conditionals[i], conditional)
            proposals.append(proposal, to: existing)
            tree.addSources(DraftSources(proposal.source), to: existing)
            tree.setScore(score(of: parent) * estimate(existing).value, of: existing)
            return existing
        }
        let score = score(of: parent) * conditional
        guard score >= minimumScore else { return nil }
        let node = tree.append(token, under: parent, score: score, source: DraftSources(proposal.source))
        proposals.append(proposal, to: node)
        conditionals.append(contentsOf: repeatElement(0, count: Self.sourceCount))
        conditionals[node * Self.sourceCount + slot] = conditional
        return node
    }

    /// Adds a chain from the root, each token with its calibrated conditional acceptance times
    /// `frequency[i]` (how often the source saw it follow, given the tokens before it). Stops at
    /// the first token that is not worth adding.
    public mutating func addChain(_ tokens: [TokenID], frequency: [Double], proposal: DraftProposal) {
        var parent = -1
        for (token, f) in zip(tokens, frequency) {
            guard let node = add(token, under: parent, conditional: conditional(under: parent, proposal) * f,
                                 proposal: proposal) else { return }
            parent = node
        }
    }

    /// First-level nodes cut by a draft model's judgement (their subtrees go with them).
    private var cut: Set<Int> = []

    /// RASD pruning by a draft model's next-token distribution `next` (its likeliest tokens):
    /// first-level branches the model did not propose are cut when it gives their token less
    /// than `pruneBelow`; kept ones gain the model's (calibrated) probability as agreeing
    /// evidence. A token missing from `next` is cut only when the least likely listed token is
    /// already below `pruneBelow` (otherwise its probability is unknown, and it stays as it is).
    public mutating func judgeFirstTokens(by next: [TokenID: Double], pruneBelow: Double,
                                          calibrated: (Double) -> Double) {
        let slot = DraftSource.model.rawValue
        let leastListed = next.values.min() ?? 0
        for node in tree.children(of: -1) where conditionals[node * Self.sourceCount + slot] == 0 {
            if let p = next[tree.tokens[node]] {
                if p < pruneBelow { cut.insert(node) } else { conditionals[node * Self.sourceCount + slot] = calibrated(p) }
            } else if leastListed < pruneBelow {
                cut.insert(node)
            }
        }
    }

    /// The tree with every path score recomputed from the final conditionals (a node merged
    /// after its children were added raised their scores too), without branches a draft model
    /// cut, who proposed each of its nodes, and each node's cell of the agreement calibration
    /// (to learn from its outcome).
    public mutating func finish() -> (tree: DraftTree, proposals: ProposalTable, cells: [Int]) {
        // In place: the sink is done with, so its tree is not copied.
        var cells = [Int](repeating: 0, count: tree.count)
        for node in 0..<tree.count {
            let parent = tree.parents[node]
            let (value, sources) = estimate(node)
            let cell = AgreementCalibration.cell(sources: sources, estimate: value, depth: tree.depths[node])
            cells[node] = cell
            tree.setScore((parent < 0 ? factor : tree.scores[parent]) * calibration.agreement.acceptance(cell: cell, estimate: value),
                          of: node)
        }
        let out = tree
        guard !cut.isEmpty else { return (out, proposals, cells) }
        var kept = DraftTree()
        var keptProposals = ProposalTable()
        var keptCells: [Int] = []
        var map: [Int: Int] = [-1: -1]
        for node in 0..<out.count where !cut.contains(node) {
            guard let parent = map[out.parents[node]] else { continue }
            let new = kept.add(out.tokens[node], under: parent, score: out.scores[node], source: out.sources[node])
            map[node] = new
            keptCells.append(cells[node])
            for proposal in proposals.proposals(of: node) { keptProposals.append(proposal, to: new) }
        }
        return (kept, keptProposals, keptCells)
    }

    /// The tree ``finish()`` gives.
    public var finishedTree: DraftTree {
        var copy = self
        return copy.finish().tree
    }

    /// The node's conditional acceptance combined from all its sources' conditionals, and the
    /// sources that proposed it. ``finish()`` recalibrates it by what that set of sources has
    /// earned (``AgreementCalibration``).
    private func estimate(_ node: Int) -> (value: Double, sources: DraftSources) {
        let base = node * Self.sourceCount
        var best = 0.0
        var bestSlot = 0
        var sources = DraftSources()
        for slot in 0..<Self.sourceCount where conditionals[base + slot] > 0 {
            sources.insert(DraftSources(rawValue: 1 << UInt16(slot)))
            if conditionals[base + slot] > best {
                best = conditionals[base + slot]
                bestSlot = slot
            }
        }
        var miss = 1 - best
        for slot in 0..<Self.sourceCount where slot != bestSlot && conditionals[base + slot] > 0 {
            miss *= pow(1 - min(conditionals[base + slot], 1), agreement)
        }
        return (1 - miss, sources)
    }
}

/// The proposals that reached each node of a drafted tree, stored flat (no allocation per node).
public struct ProposalTable: Sendable {
    private var items: [DraftProposal] = []
    private var next: [Int] = []
    private var first: [Int] = []
    private var last: [Int] = []

    public init() {}

    /// An empty table with room for `capacity` nodes' proposals.
    init(capacity: Int) {
        items.reserveCapacity(capacity * 2)
        next.reserveCapacity(capacity * 2)
        first.reserveCapacity(capacity)
        last.reserveCapacity(capacity)
    }

    /// Adds a proposal for `node` (nodes arrive in order: a new node is the next index).
    mutating func append(_ proposal: DraftProposal, to node: Int) {
        if node == first.count {
            first.append(-1)
            last.append(-1)
        }
        items.append(proposal)
        next.append(-1)
        let i = items.count - 1
        if last[node] >= 0 { next[last[node]] = i } else { first[node] = i }
        last[node] = i
    }

    /// The proposals for `node`, in the order they arrived.
    public func proposals(of node: Int) -> [DraftProposal] {
        var out: [DraftProposal] = []
        var i = node < first.count ? first[node] : -1
        while i >= 0 {
            out.append(items[i])
            i = next[i]
        }
        return out
    }
}
