public import RetraceCore

/// A model that drafts: a small model, or the target itself reading a shortened context. It
/// follows the committed text and proposes a tree whose node scores are its own conditional
/// probabilities (of a node given its parent), with its distribution over the next token.
public protocol DraftModel {
    mutating func start(prompt: [TokenID])
    mutating func commit(_ tokens: [TokenID])
    /// A tree of at most `maxNodes` nodes and `maxDepth` levels (scores: the model's
    /// conditional probabilities), and the model's probabilities of its likeliest next tokens.
    mutating func draft(maxNodes: Int, maxDepth: Int) throws -> (tree: DraftTree, next: [TokenID: Double])
}

/// Joins a draft model's tree to the fusion (RASD): its nodes carry the model's probability,
/// calibrated like any source, and retrieval branches whose first token the model finds
/// unlikely are cut, while kept ones count the model's probability as agreeing evidence.
public struct ModelDraftSource: CandidateSource {
    public var kind: DraftSource { .model }
    public var model: any DraftModel
    public var maxNodes: Int
    /// Retrieval branches whose first token has a model probability below this are cut.
    public var pruneBelow: Double

    public init(model: any DraftModel, maxNodes: Int = 16, pruneBelow: Double = 0.02) {
        self.model = model
        self.maxNodes = maxNodes
        self.pruneBelow = pruneBelow
    }

    public mutating func start(prompt: [TokenID]) { model.start(prompt: prompt) }
    public mutating func commit(_ tokens: [TokenID]) { model.commit(tokens) }

    /// The probability bucket a model probability is calibrated under (percent).
    static func bucket(_ p: Double) -> Int { Int((min(max(p, 0), 1) * 100).rounded()) }

    public mutating func propose(into sink: inout CandidateSink) throws {
        let (tree, next) = try model.draft(maxNodes: maxNodes, maxDepth: sink.maxDepth)
        var map: [Int: Int] = [-1: -1]
        for node in 0..<tree.count {
            guard let parent = map[tree.parents[node]] else { continue }
            let proposal = DraftProposal(source: .model, matchLength: Self.bucket(tree.scores[node]))
            if let added = sink.add(tree.tokens[node], under: parent, conditional: sink.conditional(under: parent, proposal),
                                    proposal: proposal) {
                map[node] = added
            }
        }
        let calibration = sink.calibration
        sink.judgeFirstTokens(by: next, pruneBelow: pruneBelow) { p in
            calibration.acceptance(.model, matchLength: Self.bucket(p), depth: 1)
        }
    }
}
