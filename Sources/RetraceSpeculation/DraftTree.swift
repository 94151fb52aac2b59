public import RetraceCore

/// A tree of drafted tokens, stored as an arena: node `i` has a token, a parent (`-1` for a
/// child of the last committed token), a depth (1 for those children), a score (the estimated
/// probability that the target accepts the whole path to it) and the sources that proposed it.
/// Nodes are kept in insertion order, so every parent precedes its children. Pure.
public struct DraftTree: Sendable, Equatable {
    public private(set) var tokens: [TokenID] = []
    public private(set) var parents: [Int] = []
    public private(set) var depths: [Int] = []
    public private(set) var scores: [Double] = []
    public private(set) var sources: [DraftSources] = []
    /// Children as linked lists in insertion order: first and last child per node (the
    /// root's apart), next sibling per node. No allocation per node.
    private var firstChild: [Int] = []
    private var lastChild: [Int] = []
    private var nextSibling: [Int] = []
    private var rootFirst = -1
    private var rootLast = -1

    public init() {}

    /// An empty tree with room for `capacity` nodes, so that growing to that size allocates nothing.
    public init(capacity: Int) {
        tokens.reserveCapacity(capacity)
        parents.reserveCapacity(capacity)
        depths.reserveCapacity(capacity)
        scores.reserveCapacity(capacity)
        sources.reserveCapacity(capacity)
        firstChild.reserveCapacity(capacity)
        lastChild.reserveCapacity(capacity)
        nextSibling.reserveCapacity(capacity)
    }

    public var count: Int { tokens.count }
    public var isEmpty: Bool { tokens.isEmpty }
    public var maxDepth: Int { depths.max() ?? 0 }

    /// Children of `node`, or of the root when `node` is -1.
    public func children(of node: Int) -> [Int] {
        var out: [Int] = []
        var c = node < 0 ? rootFirst : firstChild[node]
        while c >= 0 {
            out.append(c)
            c = nextSibling[c]
        }
        return out
    }

    /// The child of `node` (or of the root, -1) carrying `token`, if any.
    public func child(of node: Int, token: TokenID) -> Int? {
        var c = node < 0 ? rootFirst : firstChild[node]
        while c >= 0 {
            if tokens[c] == token { return c }
            c = nextSibling[c]
        }
        return nil
    }

    /// Adds `token` under `parent`, or merges into the existing child with that token (its
    /// score becomes the larger, its sources the union). Returns the node.
    @discardableResult
    public mutating func add(_ token: TokenID, under parent: Int, score: Double, source: DraftSources) -> Int {
        precondition(parent >= -1 && parent < count, "no such parent")
        if let existing = child(of: parent, token: token) {
            scores[existing] = max(scores[existing], score)
            sources[existing].formUnion(source)
            return existing
        }
        return append(token, under: parent, score: score, source: source)
    }

    /// Adds `token` under `parent` as a new node; the caller knows `parent` has no child
    /// with that token.
    mutating func append(_ token: TokenID, under parent: Int, score: Double, source: DraftSources) -> Int {
        let node = count
        tokens.append(token)
        parents.append(parent)
        depths.append(parent < 0 ? 1 : depths[parent] + 1)
        scores.append(score)
        sources.append(source)
        firstChild.append(-1)
        lastChild.append(-1)
        nextSibling.append(-1)
        if parent < 0 {
            if rootLast >= 0 { nextSibling[rootLast] = node } else { rootFirst = node }
            rootLast = node
        } else {
            if lastChild[parent] >= 0 { nextSibling[lastChild[parent]] = node } else { firstChild[parent] = node }
            lastChild[parent] = node
        }
        return node
    }

    /// Merges a chain by longest common prefix: shared nodes are reused, the rest appended.
    /// `scores[i]` is the path score of the chain's first `i + 1` tokens.
    public mutating func insert(path: [TokenID], scores pathScores: [Double], source: DraftSources) {
        precondition(path.count == pathScores.count, "one score per token")
        var parent = -1
        for (token, score) in zip(path, pathScores) {
            parent = add(token, under: parent, score: score, source: source)
        }
    }

    /// Adds `source` to the sources that proposed `node`.
    public mutating func addSources(_ source: DraftSources, to node: Int) { sources[node].formUnion(source) }

    /// Replaces the score of `node` (the caller keeps parents scoring at least their children).
    public mutating func setScore(_ score: Double, of node: Int) { scores[node] = score }

    /// Number of leaves (no allocation).
    var leafCount: Int {
        var n = 0
        for c in firstChild where c < 0 { n += 1 }
        return n
    }

    /// Leaves (nodes without children), in node order.
    public var leaves: [Int] { (0..<count).filter { firstChild[$0] < 0 } }

    /// The tokens from the root down to `node`.
    public func path(to node: Int) -> [TokenID] {
        var out: [TokenID] = []
        var n = node
        while n >= 0 {
            out.append(tokens[n])
            n = parents[n]
        }
        return out.reversed()
    }

    /// The `limit` best nodes by score (a parent always scores at least as high as its child,
    /// and wins ties), as a new tree: the closure under parents is kept. With `maxLeaves`, a
    /// node that would make one leaf too many is passed over (with its subtree); pruning the
    /// result further never adds leaves.
    public func pruned(to limit: Int, maxLeaves: Int = .max) -> DraftTree {
        guard limit < count || (maxLeaves < count && leafCount > maxLeaves) else { return self }
        // Best first from the root: since no child outranks its parent, this takes the same
        // nodes as sorting all of them, with no sort and no hashing.
        var keep = [Bool](repeating: false, count: count)
        var keptChildren = [Int](repeating: 0, count: count)
        var frontier = children(of: -1)
        var kept = 0
        var leafCount = 0
        while kept < limit, !frontier.isEmpty {
            var best = 0
            for i in frontier.indices.dropFirst() where ranksBefore(frontier[i], frontier[best]) { best = i }
            let node = frontier[best]
            frontier.swapAt(best, frontier.count - 1)
            frontier.removeLast()
            // A first child takes its parent's place as a leaf; any other node adds one.
            let parent = parents[node]
            let addsLeaf = parent < 0 || keptChildren[parent] > 0
            if addsLeaf && leafCount >= maxLeaves { continue }
            if addsLeaf { leafCount += 1 }
            if parent >= 0 { keptChildren[parent] += 1 }
            keep[node] = true
            kept += 1
            var c = firstChild[node]
            while c >= 0 {
                frontier.append(c)
                c = nextSibling[c]
            }
        }
        var out = DraftTree(capacity: min(limit, count))
        var map = [Int](repeating: -1, count: count)
        for node in 0..<count where keep[node] {
            let parent = parents[node]
            map[node] = out.append(tokens[node], under: parent < 0 ? -1 : map[parent], score: scores[node], source: sources[node])
        }
        return out
    }

    /// Pruning order: higher score first, then shallower, then earlier.
    private func ranksBefore(_ a: Int, _ b: Int) -> Bool {
        if scores[a] != scores[b] { return scores[a] > scores[b] }
        if depths[a] != depths[b] { return depths[a] < depths[b] }
        return a < b
    }

    /// Expected tokens a verification of this tree yields: 1 (the bonus) + Σ path scores.
    public var expectedAcceptedTokens: Double { 1 + scores.reduce(0, +) }
}
