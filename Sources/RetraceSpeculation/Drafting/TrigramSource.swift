public import RetraceCore

/// ADED-style adaptive tri-gram statistics: sparse next-token counts per pair of tokens, fed by
/// the prompt and every committed token, with each follower's own record of drafted tries and
/// hits. Drafts are grown best first, and which followers are tried is chosen by PUCT
/// (exploitation of observed acceptance plus exploration in proportion to frequency and to how
/// rarely a follower has been tried), so followers that keep failing give way to others.
/// Kept across generations, with old counts fading. Pure.
public struct TrigramSource: CandidateSource {
    public var kind: DraftSource { .trigram }
    struct Follower { var token: TokenID; var count: Double; var tries: Double; var hits: Double }
    private var table: [UInt64: [Follower]] = [:]
    /// The last two tokens fed (the pair the next token follows), and the one before a pair exists.
    private var history: (TokenID, TokenID)?
    private var first: TokenID?
    /// Scratch space for drafting, reused from step to step.
    private var followers: [(token: TokenID, share: Double, observations: Double)] = []
    private var rankingScratch: [(value: Double, index: Int)] = []
    /// Followers kept per pair.
    public var followersPerPair = 8
    /// Children tried per node.
    public var branching = 2
    /// Most nodes proposed per step.
    public var nodes = 16
    /// PUCT exploration constant.
    public var exploration = 0.5
    /// Counts fade by this factor each time their pair is seen again.
    public var decay = 0.97
    /// Pairs kept: past this, the half seen least is dropped.
    public var maxPairs = 500_000

    public var footprint: SourceFootprint { SourceFootprint(bytes: memoryBytes, items: pairCount, item: "token pairs") }

    public init() {}

    /// Pairs with followers.
    public var pairCount: Int { table.count }
    /// Bytes the table holds (keys, follower records).
    public var memoryBytes: Int { table.capacity * 16 + table.values.reduce(0) { $0 + $1.capacity * 32 } }

    static func key(_ a: TokenID, _ b: TokenID) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    public mutating func start(prompt: [TokenID]) {
        history = nil
        first = nil
        feed(prompt)
    }

    public mutating func commit(_ tokens: [TokenID]) { feed(tokens) }

    /// Drops the pairs with the smallest total counts, keeping half of ``maxPairs``.
    private mutating func pruneIfFull() {
        guard table.count > maxPairs else { return }
        let totals = table.mapValues { $0.reduce(0) { $0 + $1.count } }
        let keep = Set(totals.sorted { $0.value > $1.value }.prefix(maxPairs / 2).map(\.key))
        table = table.filter { keep.contains($0.key) }
    }

    private mutating func feed(_ tokens: [TokenID]) {
        defer { pruneIfFull() }
        for t in tokens {
            if let (a, b) = history {
                count(a, b, then: t)
                history = (b, t)
            } else if let f = first {
                history = (f, t)
            } else {
                first = t
            }
        }
    }

    private mutating func count(_ a: TokenID, _ b: TokenID, then c: TokenID) {
        let key = Self.key(a, b)
        var list = table[key] ?? []
        for i in list.indices { list[i].count *= decay }
        if let i = list.firstIndex(where: { $0.token == c }) {
            list[i].count += 1
        } else if list.count < followersPerPair {
            list.append(Follower(token: c, count: 1, tries: 0, hits: 0))
        } else if let weakest = list.indices.min(by: { list[$0].count < list[$1].count }) {
            list[weakest] = Follower(token: c, count: 1, tries: 0, hits: 0)
        }
        table[key] = list
    }

    /// The `limit` followers of a pair with the highest PUCT value, best first, with their
    /// frequency share and the pair's total count.
    func ranked(_ a: TokenID, _ b: TokenID, limit: Int) -> [(token: TokenID, share: Double, observations: Double)] {
        var best: [(value: Double, index: Int)] = []
        var out: [(token: TokenID, share: Double, observations: Double)] = []
        ranked(a, b, limit: limit, into: &out, scratch: &best)
        return out
    }

    /// ``ranked(_:_:limit:)`` into `out`, with `scratch` as working space (both emptied first,
    /// their storage reused).
    func ranked(_ a: TokenID, _ b: TokenID, limit: Int, into out: inout [(token: TokenID, share: Double, observations: Double)],
                scratch best: inout [(value: Double, index: Int)]) {
        out.removeAll(keepingCapacity: true)
        best.removeAll(keepingCapacity: true)
        guard let list = table[Self.key(a, b)], !list.isEmpty else { return }
        var total = 0.0
        var visits = 0.0
        for f in list {
            total += f.count
            visits += f.tries
        }
        let bonus = exploration * (visits + 1).squareRoot()
        for (i, f) in list.enumerated() {
            let prior = f.count / total
            let value = (f.hits + prior) / (f.tries + 1) + bonus * prior / (1 + f.tries)
            if best.count < limit {
                best.append((value, i))
            } else if value > best[best.count - 1].value {
                best[best.count - 1] = (value, i)
            } else {
                continue
            }
            var j = best.count - 1
            while j > 0 && best[j].value > best[j - 1].value {
                best.swapAt(j, j - 1)
                j -= 1
            }
        }
        for b in best { out.append((list[b.index].token, list[b.index].count / total, total)) }
    }

    /// Evidence bucket of a follower's frequency share: 0 most of the time, … 3 rarely.
    static func evidence(share: Double) -> Int { share >= 0.75 ? 0 : share >= 0.5 ? 1 : share >= 0.25 ? 2 : 3 }

    public mutating func propose(into sink: inout CandidateSink) {
        guard let (a, b) = history else { return }
        var frontier = Frontier<(TokenID, TokenID)>()
        frontier.push((a, b), at: -1)
        var added = 0
        while added < nodes, let item = frontier.popBest(in: sink) {
            ranked(item.state.0, item.state.1, limit: branching, into: &followers, scratch: &rankingScratch)
            for f in followers {
                let proposal = DraftProposal(source: .trigram, matchLength: Int(f.observations.rounded()),
                                             evidence: Self.evidence(share: f.share))
                guard let node = sink.add(f.token, under: item.node, conditional: sink.conditional(under: item.node, proposal),
                                          proposal: proposal) else { continue }
                added += 1
                frontier.push((item.state.1, f.token), at: node)
            }
        }
    }

    /// Each follower drafted by this source under an accepted prefix records a try, and a hit
    /// when it was the target's token.
    public mutating func observe(tree: DraftTree, result: VerificationResult) {
        guard var (a, b) = history else { return }
        var parent = -1
        var level = 0
        while true {
            let accepted = level < result.acceptedNodes.count ? result.acceptedNodes[level] : nil
            let key = Self.key(a, b)
            if var list = table[key] {
                for child in tree.children(of: parent) where tree.sources[child].contains(DraftSources(.trigram)) {
                    guard let i = list.firstIndex(where: { $0.token == tree.tokens[child] }) else { continue }
                    list[i].tries += 1
                    if child == accepted { list[i].hits += 1 }
                }
                table[key] = list
            }
            guard let next = accepted else { return }
            (a, b) = (b, tree.tokens[next])
            parent = next
            level += 1
        }
    }
}
