public import RetraceCore

/// Replays a recorded greedy generation through a drafter without running the model: each
/// step drafts a tree from the true history, accepts the longest tree path equal to the true
/// continuation plus one bonus token, and gives the drafter exactly the feedback it would get
/// live. With a cost curve it also charges each step what its verification would cost, so the
/// replay estimates the speedup over plain decoding. Pure apart from timing the drafter.
public struct TraceReplay {
    /// Chooses what to verify from a drafted tree, given the pending tokens and context length
    /// (a ``TreeSizer``, or a plain cut to a node budget).
    public typealias Planner = (_ tree: DraftTree, _ pending: Int, _ context: Int) -> DraftTree

    /// One replayed generation.
    public struct Outcome: Sendable, Equatable {
        /// Tokens generated (the recorded output's length).
        public var tokens = 0
        public var steps = 0
        /// Draft nodes verified, over all steps.
        public var verifiedNodes = 0
        /// Accepted draft tokens by the sources that proposed them.
        public var acceptedBySource: [DraftSource: Int] = [:]
        /// Verification cost in units of one plain decoding step (0 without a cost curve).
        public var cost = 0.0
        /// Seconds spent drafting and sizing, per step.
        public var draftSeconds: [Double] = []
        /// Reliability of the node scores: per tenth of score, nodes verified and nodes accepted.
        public var reliability = [ReliabilityBin](repeating: ReliabilityBin(), count: 10)

        public var meanAcceptedTokens: Double { Double(tokens) / Double(max(steps, 1)) }
    }

    /// Verified nodes whose scores fell in one bin, and how many of them were accepted.
    public struct ReliabilityBin: Sendable, Equatable {
        public var nodes = 0
        public var accepted = 0
        public var scoreSum = 0.0
        public var meanScore: Double { scoreSum / Double(max(nodes, 1)) }
        public var acceptanceRate: Double { Double(accepted) / Double(max(nodes, 1)) }
        public init() {}

        /// Adds another bin's counts to this one.
        public mutating func merge(_ other: ReliabilityBin) {
            nodes += other.nodes
            accepted += other.accepted
            scoreSum += other.scoreSum
        }
    }

    /// What the target itself ranked highest at each position of a recorded output (from one
    /// teacher-forced pass of the model): its top tokens before output token `i`. With it, a
    /// replayed drafter hears the top tokens a live one would at the positions the
    /// verification reaches (without it, only the recorded token).
    public struct RecordedTarget: Sendable, Equatable {
        public var topTokens: [[TokenID]]

        public init(topTokens: [[TokenID]]) { self.topTokens = topTokens }

        /// The top tokens at `position`, as many as measured, led by the recorded token (which a
        /// near-tie in the teacher-forced pass may have ranked lower, or just outside them).
        func at(_ position: Int, recorded token: TokenID) -> [TokenID] {
            guard position < topTokens.count, let first = topTokens[position].first else { return [token] }
            let top = topTokens[position]
            return first == token ? top : Array(([token] + top.filter { $0 != token }).prefix(top.count))
        }
    }

    /// A token no model emits: the target's "prediction" past the end of the recording.
    static let endOfRecording = TokenID.max

    /// Replays `truth` (the recorded output after `prompt`) through `drafter`.
    /// `beforeStep`, when given, runs before each step's drafting, untimed (to put the machine
    /// in the state a live step finds it in).
    public static func run(drafter: inout some Drafter, prompt: [TokenID], truth: [TokenID], target: RecordedTarget? = nil,
                           plan: Planner, cost: CostModel? = nil, beforeStep: (() -> Void)? = nil) throws -> Outcome {
        let clock = ContinuousClock()
        var outcome = Outcome()
        drafter.start(prompt: prompt)
        var done = 0
        var pending = 1
        while done < truth.count {
            beforeStep?()
            let started = clock.now
            let tree = plan(try drafter.draft(), pending, prompt.count + done)
            outcome.draftSeconds.append((clock.now - started).seconds)

            let verdict = GreedyVerifier.verify(tree, predictions: predictions(for: tree, truth: truth[done...], target: target))
            let committed = verdict.tokens.filter { $0 != endOfRecording }
            // Past the recording's end there is no bonus token: the drafter hears what a host
            // committing these tokens would tell it (the last one taken for the bonus).
            let feedback = committed.count < verdict.tokens.count ? VerificationResult(committed: committed, on: tree) : verdict
            if let cost {
                outcome.cost += cost.relativeCost(batch: pending + tree.count, context: prompt.count + done)
            }
            drafter.learn(from: tree, result: feedback)
            drafter.commit(committed)

            let acceptedSet = Set(verdict.acceptedNodes)
            for node in 0..<tree.count {
                let bucket = min(9, max(0, Int(tree.scores[node] * 10)))
                outcome.reliability[bucket].nodes += 1
                outcome.reliability[bucket].scoreSum += tree.scores[node]
                if acceptedSet.contains(node) { outcome.reliability[bucket].accepted += 1 }
            }
            let k = verdict.acceptedNodes.count
            pending = k == 0 || TreeBatchLayout(tree).isLeadingPath(verdict.acceptedNodes) ? 1 : k + 1
            done += committed.count
            outcome.steps += 1
            outcome.verifiedNodes += tree.count
            for (source, n) in verdict.creditedSources { outcome.acceptedBySource[source, default: 0] += n }
        }
        outcome.tokens = truth.count
        return outcome
    }

    /// What the target would predict: the recorded token after every node whose path is the
    /// recorded continuation; nodes off that path are never consulted by the verifier. The top
    /// tokens reported, on that path only, are the ``RecordedTarget``'s when given, else that
    /// one token.
    static func predictions(for tree: DraftTree, truth: ArraySlice<TokenID>, target: RecordedTarget? = nil) -> TargetPredictions {
        var nodePredictions = [TokenID](repeating: endOfRecording, count: tree.count)
        var topTokens = [[TokenID]](repeating: [], count: tree.count + 1)
        func top(at offset: Int) -> [TokenID] { target?.at(offset, recorded: truth[offset]) ?? [truth[offset]] }
        topTokens[0] = top(at: truth.startIndex)
        var node = -1
        var offset = truth.startIndex
        while offset < truth.endIndex, let child = tree.child(of: node, token: truth[offset]) {
            offset += 1
            nodePredictions[child] = offset < truth.endIndex ? truth[offset] : endOfRecording
            if offset < truth.endIndex { topTokens[child + 1] = top(at: offset) }
            node = child
        }
        return TargetPredictions(rootPrediction: truth[truth.startIndex], nodePredictions: nodePredictions,
                                 topTokens: topTokens)
    }

    /// The path of `tree` that `truth` follows from the root, at most `limit` nodes, as a chain
    /// (what a drafter that knew the continuation would verify from its own candidates).
    public static func recordedPath(in tree: DraftTree, truth: ArraySlice<TokenID>, limit: Int) -> DraftTree {
        var path = DraftTree()
        var node = -1
        var parent = -1
        for token in truth.prefix(limit) {
            guard let child = tree.child(of: node, token: token) else { break }
            parent = path.add(token, under: parent, score: tree.scores[child], source: tree.sources[child])
            node = child
        }
        return path
    }

    /// The longest prefix of `future` that occurs anywhere in `history` (brute force; for the
    /// oracle line of the replay benchmark).
    public static func longestPrefix(of future: ArraySlice<TokenID>, in history: [TokenID], limit: Int) -> Int {
        guard let first = future.first else { return 0 }
        var best = 0
        let wanted = min(limit, future.count)
        for start in history.indices where history[start] == first {
            var m = 1
            while m < wanted, start + m < history.count, history[start + m] == future[future.startIndex + m] { m += 1 }
            best = max(best, m)
            if best == wanted { break }
        }
        return best
    }
}
