/// Chooses how much of a drafted tree to verify: the prefix of its best nodes that maximises
/// expected tokens per unit of verification cost, or nothing when no tree beats a plain step.
/// Pure.
public struct TreeSizer: Sendable {
    public var cost: ObservedCost
    /// Largest tree considered.
    public var maxNodes: Int
    /// How much better than a plain step a tree must promise to be drafted at all: covers
    /// drafting, per-node argmax and estimation error, so drafting never makes things slower.
    public var minimumGain: Double
    /// Most leaves of a tree considered. Each leaf is a KV-cache sequence of the verifier, and
    /// every committed token is cached in all of them (see ``SpeculativeGenerator``).
    public var maxLeaves: Int

    public init(cost: CostModel, maxNodes: Int = 48, minimumGain: Double = 1.15, maxLeaves: Int = 8) {
        self.cost = ObservedCost(calibrated: cost)
        self.maxNodes = maxNodes
        self.minimumGain = minimumGain
        self.maxLeaves = maxLeaves
    }

    /// The pruned tree to verify, given `pending` tokens that must be decoded anyway in the
    /// same batch (the tokens committed by the last step) at context length `context`.
    public func size(_ tree: DraftTree, pending: Int, context: Int) -> DraftTree {
        guard !tree.isEmpty else { return tree }
        let candidate = tree.pruned(to: maxNodes, maxLeaves: maxLeaves)
        let scores = candidate.scores.sorted(by: >)
        // A plain step decodes the pending tokens alone and yields one token.
        var bestNodes = 0
        let plainRate = 1 / cost.relativeCost(batch: pending, context: context)
        var bestRate = plainRate * minimumGain
        var expected = 1.0
        for (i, s) in scores.enumerated() {
            expected += s
            let rate = expected / cost.relativeCost(batch: pending + i + 1, context: context)
            if rate > bestRate {
                bestRate = rate
                bestNodes = i + 1
            }
        }
        return bestNodes == 0 ? DraftTree() : candidate.pruned(to: bestNodes)
    }
}
