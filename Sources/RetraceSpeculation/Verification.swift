public import RetraceCore

/// What the target model said about a drafted tree: the token it would emit after the last
/// committed token (`rootPrediction`) and after each node (`nodePredictions[i]`).
/// Greedy decoding gives argmaxes; lossless sampling will give sampled tokens from the same
/// positions, so the walk below stays the same.
public struct TargetPredictions: Sendable, Equatable {
    public var rootPrediction: TokenID
    public var nodePredictions: [TokenID]
    /// The target's most likely tokens, best first, after the last committed token (index 0)
    /// and after each node (index `i + 1`); empty when the host does not report them.
    public var topTokens: [[TokenID]]

    public init(rootPrediction: TokenID, nodePredictions: [TokenID], topTokens: [[TokenID]] = []) {
        self.rootPrediction = rootPrediction
        self.nodePredictions = nodePredictions
        self.topTokens = topTokens
    }
}

/// The outcome of verifying one tree.
public struct VerificationResult: Sendable, Equatable {
    /// Accepted nodes, root to leaf.
    public var acceptedNodes: [Int]
    /// Tokens to commit: the accepted path, then the target's own next token.
    public var tokens: [TokenID]
    /// Accepted draft tokens credited to each source that proposed them.
    public var creditedSources: [DraftSource: Int]
    /// The target's top tokens at the verified positions, as in ``TargetPredictions/topTokens``.
    public var topTokens: [[TokenID]] = []

    public var acceptedDraftTokens: Int { acceptedNodes.count }
}

/// Accepts the longest tree path that the target's predictions follow, plus one bonus token.
/// Pure; lossless by construction: every committed token is the target's own prediction.
public enum GreedyVerifier {
    public static func verify(_ tree: DraftTree, predictions: TargetPredictions) -> VerificationResult {
        precondition(predictions.nodePredictions.count == tree.count, "one prediction per node")
        var accepted: [Int] = []
        var credited: [DraftSource: Int] = [:]
        var next = predictions.rootPrediction
        var node = -1
        while let child = tree.child(of: node, token: next) {
            accepted.append(child)
            for source in tree.sources[child].members { credited[source, default: 0] += 1 }
            node = child
            next = predictions.nodePredictions[child]
        }
        return VerificationResult(acceptedNodes: accepted, tokens: accepted.map { tree.tokens[$0] } + [next],
                                  creditedSources: credited, topTokens: predictions.topTokens)
    }
}
