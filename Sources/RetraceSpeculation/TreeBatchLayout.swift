/// How a ``DraftTree`` is laid out in one decode batch: depth-first with the best-scored
/// child first, so the most likely path occupies the first rows, and each leaf gets its own
/// sequence id (1, 2, …; 0 is the committed sequence). A node belongs to the sequences of all
/// leaves below it, which in depth-first order are one contiguous range. Pure.
public struct TreeBatchLayout: Sendable, Equatable {
    /// Nodes in batch order.
    public let order: [Int]
    /// For each node (by node index): the first and last leaf sequence id below it.
    public let sequenceRange: [ClosedRange<Int32>]
    /// Number of leaves, which is the number of branch sequences.
    public let leafCount: Int

    public init(_ tree: DraftTree) {
        var order: [Int] = []
        order.reserveCapacity(tree.count)
        var ranges = [ClosedRange<Int32>](repeating: 0...0, count: tree.count)
        var nextLeaf: Int32 = 1
        func visit(_ node: Int) {
            order.append(node)
            let children = tree.children(of: node).sorted { tree.scores[$0] > tree.scores[$1] }
            if children.isEmpty {
                ranges[node] = nextLeaf...nextLeaf
                nextLeaf += 1
                return
            }
            let first = nextLeaf
            for c in children { visit(c) }
            ranges[node] = first...(nextLeaf - 1)
        }
        for root in tree.children(of: -1).sorted(by: { tree.scores[$0] > tree.scores[$1] }) { visit(root) }
        self.order = order
        self.sequenceRange = ranges
        self.leafCount = Int(nextLeaf - 1)
    }

    /// Whether `accepted` (root to leaf) is the start of the first rows, so its cached cells
    /// are contiguous and in position order and can be kept as they are.
    public func isLeadingPath(_ accepted: [Int]) -> Bool {
        accepted.count <= order.count && zip(accepted, order).allSatisfy { $0 == $1 }
    }
}
