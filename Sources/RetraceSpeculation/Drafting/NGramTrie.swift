public import RetraceCore

/// Lookahead's n-gram trie: every window of the text (up to a fixed length) inserted as a path
/// from the root, each node counting how often its path began a window, so a node's children
/// are what followed its path, with frequencies. Kept bounded: counts decay (lazily, through one
/// scale factor) and the weakest nodes are pruned past a node limit. Records what changed since
/// the host last persisted it, so a store can be updated node by node. Pure.
public struct NGramTrie: Sendable {
    private var tokens: [TokenID] = [0]
    /// Stored counts; a node's count is `raw × scale`.
    private var raw: [Double] = [0]
    private var parent: [Int32] = [-1]
    private var firstChild: [Int32] = [-1]
    private var nextSibling: [Int32] = [-1]
    /// Child by (parent, token), for lookups in constant time however many children a node has.
    private var edges: [UInt64: Int32] = [:]
    private var scale = 1.0
    /// Nodes whose stored count changed, and paths removed, since ``takeChanges()``.
    private var dirty: Set<Int32> = []
    private var removed: [[TokenID]] = []

    public init() {}

    /// Nodes, the root excluded.
    public var nodeCount: Int { tokens.count - 1 }
    /// Bytes held by the node arrays.
    public var memoryBytes: Int {
        tokens.capacity * 4 + raw.capacity * 8 + (parent.capacity + firstChild.capacity + nextSibling.capacity) * 4
            + edges.capacity * 12
    }

    private static func key(_ node: Int, _ token: TokenID) -> UInt64 { UInt64(node) << 32 | UInt64(token) }

    public static let root = 0

    /// A node's count (decay applied).
    public func count(of node: Int) -> Double { raw[node] * scale }

    /// The child of `node` carrying `token`.
    public func child(of node: Int, token: TokenID) -> Int? { edges[Self.key(node, token)].map(Int.init) }

    /// The children of `node` with their tokens and counts.
    public func children(of node: Int) -> [(token: TokenID, node: Int, count: Double)] {
        var out: [(token: TokenID, node: Int, count: Double)] = []
        var c = firstChild[node]
        while c >= 0 {
            out.append((tokens[Int(c)], Int(c), raw[Int(c)] * scale))
            c = nextSibling[Int(c)]
        }
        return out
    }

    /// Whether `node` has children.
    public func hasChildren(_ node: Int) -> Bool { firstChild[node] >= 0 }

    /// The `limit` children of `node` with the highest counts (ties in ``children(of:)`` order),
    /// best first, and the total count of all its children. Allocates only the answer.
    public func topChildren(of node: Int, limit: Int) -> (best: [(token: TokenID, node: Int, count: Double)], total: Double) {
        var best: [(token: TokenID, node: Int, count: Double)] = []
        let total = topChildren(of: node, limit: limit, into: &best)
        return (best, total)
    }

    /// ``topChildren(of:limit:)`` into `best` (emptied first, its storage reused); returns the total.
    public func topChildren(of node: Int, limit: Int, into best: inout [(token: TokenID, node: Int, count: Double)]) -> Double {
        best.removeAll(keepingCapacity: true)
        var total = 0.0
        var c = firstChild[node]
        while c >= 0 {
            let i = Int(c)
            let count = raw[i] * scale
            total += count
            if best.count < limit || count > best[best.count - 1].count {
                var at = best.count
                while at > 0 && best[at - 1].count < count { at -= 1 }
                best.insert((tokens[i], i, count), at: at)
                if best.count > limit { best.removeLast() }
            }
            c = nextSibling[i]
        }
        return total
    }

    /// The node of `path`, if stored.
    public func node(of path: some Sequence<TokenID>) -> Int? {
        var n = Self.root
        for t in path {
            guard let c = child(of: n, token: t) else { return nil }
            n = c
        }
        return n
    }

    /// The tokens from the root to `node`.
    public func path(to node: Int) -> [TokenID] {
        var out: [TokenID] = []
        var n = node
        while n > 0 {
            out.append(tokens[n])
            n = Int(parent[n])
        }
        return out.reversed()
    }

    private mutating func addChild(_ token: TokenID, under p: Int, raw value: Double) -> Int {
        let node = tokens.count
        tokens.append(token)
        raw.append(value)
        parent.append(Int32(p))
        firstChild.append(-1)
        nextSibling.append(firstChild[p])
        firstChild[p] = Int32(node)
        edges[Self.key(p, token)] = Int32(node)
        return node
    }

    /// Adds `weight` to every node along `path`, creating the missing ones.
    public mutating func insert(_ path: some Sequence<TokenID>, weight: Double = 1) {
        var n = Self.root
        for t in path {
            if let c = child(of: n, token: t) {
                n = c
                raw[n] += weight / scale
            } else {
                n = addChild(t, under: n, raw: weight / scale)
            }
            dirty.insert(Int32(n))
        }
    }

    /// Multiplies every count by `factor` (0 < factor ≤ 1) at the cost of one multiplication;
    /// stored counts are renormalised when the scale gets small.
    public mutating func decay(by factor: Double) {
        precondition(factor > 0 && factor <= 1, "decay factor must be in (0, 1]")
        scale *= factor
        if scale < 1e-9 {
            for i in raw.indices { raw[i] *= scale }
            scale = 1
            dirty.formUnion((1..<Int32(tokens.count)))
        }
    }

    /// Drops the weakest nodes (with their subtrees) until at most `maxNodes` remain. A child
    /// never counts more than its parent, so keeping everything above a count keeps whole paths.
    public mutating func prune(to maxNodes: Int) {
        guard nodeCount > maxNodes else { return }
        let threshold = maxNodes <= 0 ? Double.infinity : raw[1...].sorted(by: >)[maxNodes - 1]
        var keep = [Bool](repeating: false, count: tokens.count)
        keep[0] = true
        var kept = 0
        // Parents precede children in the arena, so one pass decides every node.
        for node in 1..<tokens.count {
            let p = Int(parent[node])
            if keep[p] && raw[node] >= threshold && kept < maxNodes {
                keep[node] = true
                kept += 1
            } else {
                removed.append(path(to: node))
            }
        }
        var rebuilt = NGramTrie()
        rebuilt.scale = scale
        var map = [Int](repeating: -1, count: tokens.count)
        map[0] = 0
        for node in 1..<tokens.count where keep[node] {
            map[node] = rebuilt.addChild(tokens[node], under: map[Int(parent[node])], raw: raw[node])
        }
        let oldDirty = dirty
        let oldRemoved = removed
        self = rebuilt
        dirty = Set(oldDirty.compactMap { map[Int($0)] >= 0 ? Int32(map[Int($0)]) : nil })
        removed = oldRemoved
    }

    /// What changed since the last call: stored counts to write (by path), paths to delete, and
    /// the scale the stored counts are relative to.
    public mutating func takeChanges() -> (upserts: [(path: [TokenID], raw: Double)], removals: [[TokenID]], scale: Double) {
        let upserts = dirty.sorted().map { (path(to: Int($0)), raw[Int($0)]) }
        let removals = removed
        dirty = []
        removed = []
        return (upserts, removals, scale)
    }

    /// A trie restored from stored nodes (any order; a node whose parent path is missing or
    /// whose count is not a positive number is skipped), with nothing pending to persist.
    public init(stored: [(path: [TokenID], raw: Double)], scale: Double) {
        self.scale = scale.isFinite && scale > 0 ? scale : 1
        for entry in stored.sorted(by: { $0.path.count < $1.path.count }) where entry.raw.isFinite && entry.raw > 0 {
            guard let last = entry.path.last, let p = node(of: entry.path.dropLast()), child(of: p, token: last) == nil else { continue }
            _ = addChild(last, under: p, raw: entry.raw)
        }
    }
}
