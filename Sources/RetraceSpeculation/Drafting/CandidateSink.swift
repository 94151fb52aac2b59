public import RetraceCore
import Foundation

/// Where sources put candidates: one tree merged by longest prefix (RASD-style fusion). Each
/// node keeps, per source that proposed it, the conditional probability that the target
/// accepts it given its parent was accepted; its path score is the parent's times the
/// combination of those conditionals, so a token several sources agree on scores higher than
/// any one of them alone gives it. Pure.
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
    public private(set) var tree = DraftTree()
    /// Per node, every proposal that reached it.
    public private(set) var proposals: [[DraftProposal]] = []
    /// Per node, the best conditional each source gave it.
    private var conditionals: [[DraftSource: Double]] = []

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
        if let existing = tree.child(of: parent, token: token) {
            conditionals[existing][proposal.source] = max(conditionals[existing][proposal.source] ?? 0, conditional)
            proposals[existing].append(proposal)
            tree.add(token, under: parent, score: 0, source: DraftSources(proposal.source))
            tree.setScore(score(of: parent) * combined(conditionals[existing]), of: existing)
            return existing
        }
        let score = score(of: parent) * conditional
        guard score >= minimumScore else { return nil }
        let node = tree.add(token, under: parent, score: score, source: DraftSources(proposal.source))
        proposals.append([proposal])
        conditionals.append([proposal.source: conditional])
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

    /// The tree with every path score recomputed from the final conditionals (a node merged
    /// after its children were added raised their scores too).
    public var finishedTree: DraftTree {
        var out = tree
        for node in 0..<out.count {
            let parent = out.parents[node]
            out.setScore((parent < 0 ? factor : out.scores[parent]) * combined(conditionals[node]), of: node)
        }
        return out
    }

    private func combined(_ bySource: [DraftSource: Double]) -> Double {
        guard bySource.count > 1 else { return bySource.values.first ?? 0 }
        let sorted = bySource.values.sorted(by: >)
        var miss = 1 - sorted[0]
        for c in sorted.dropFirst() { miss *= pow(1 - min(c, 1), agreement) }
        return 1 - miss
    }
}
