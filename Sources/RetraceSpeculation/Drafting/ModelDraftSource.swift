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
    /// What one of the model's decodes costs, in target decoding steps.
    var costPerDecode: Double { get }
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
    /// The hybrid policy, part one: when retrieval already offers a first token scoring at
    /// least this, the model is not run this step (retrieval is enough).
    public var retrievalSuffices = 0.75
    /// Part two: the model keeps drafting only while the tokens it alone proposed and the target
    /// accepted pay for its decodes; otherwise it sits out a growing number of steps (up to
    /// ``maxBackoff``) before it is tried again.
    public var maxBackoff = 64
    /// Steps the model drafted and steps it sat out.
    public private(set) var draftedSteps = 0
    public private(set) var skippedSteps = 0
    /// Decayed sums of accepted model-only tokens and of decode cost, in target steps.
    private var earned = 0.0
    private var spent = 0.0
    private var backoff = 0
    private var wait = 0
    private var draftedThisStep = false

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
        draftedThisStep = false
        let retrievalBest = sink.tree.children(of: -1).map { sink.tree.scores[$0] }.max() ?? 0
        guard model.costPerDecode < 1, wait == 0, retrievalBest < retrievalSuffices else {
            if wait > 0 { wait -= 1 }
            skippedSteps += 1
            return
        }
        draftedSteps += 1
        draftedThisStep = true
        let (tree, next) = try model.draft(maxNodes: maxNodes, maxDepth: sink.maxDepth)
        spent = spent * 0.95 + Double(max(1, tree.maxDepth)) * model.costPerDecode
        earned *= 0.95
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

    /// Credits the model with accepted tokens no retrieval source proposed, and backs off
    /// when they do not pay for its decodes.
    public mutating func observe(tree: DraftTree, result: VerificationResult) {
        guard draftedThisStep else { return }
        earned += Double(result.acceptedNodes.filter { tree.sources[$0] == DraftSources(.model) }.count)
        guard spent >= 2 else { return }   // too early to judge
        if earned < spent {
            backoff = min(maxBackoff, max(2, backoff * 2))
            wait = backoff
        } else {
            backoff = 0
        }
    }
}
