import Testing
import RetraceTestSupport
@testable import RetraceSpeculation

@Suite struct DraftTreeTests {
    @Test func longestPrefixMergeSharesNodesAndKeepsBestScores() {
        var tree = DraftTree()
        tree.insert(path: [1, 2, 3], scores: [0.9, 0.8, 0.5], source: DraftSources(.index))
        tree.insert(path: [1, 2, 4], scores: [0.7, 0.6, 0.4], source: DraftSources(.context))
        tree.insert(path: [5], scores: [0.2], source: DraftSources(.context))
        #expect(tree.count == 5)
        #expect(tree.children(of: -1).map { tree.tokens[$0] } == [1, 5])
        let two = tree.child(of: tree.child(of: -1, token: 1)!, token: 2)!
        #expect(tree.scores[two] == 0.8)
        #expect(tree.sources[two] == [DraftSources(.index), DraftSources(.context)])
        #expect(tree.children(of: two).count == 2)
        #expect(tree.path(to: tree.child(of: two, token: 4)!) == [1, 2, 4])
        #expect(Set(tree.leaves.map { tree.tokens[$0] }) == [3, 4, 5])
        #expect(abs(tree.expectedAcceptedTokens - (1 + 0.9 + 0.8 + 0.5 + 0.4 + 0.2)) < 1e-12)
    }

    @Test func noDuplicateChildrenUnderRandomMerges() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var tree = DraftTree()
            for _ in 0..<20 {
                let path = (0..<Int.random(in: 1...5, using: &rng)).map { _ in UInt32.random(in: 0..<4, using: &rng) }
                var score = 1.0
                tree.insert(path: path, scores: path.map { _ in score *= 0.8; return score }, source: DraftSources(.index))
            }
            for node in -1..<tree.count {
                let tokens = tree.children(of: node).map { tree.tokens[$0] }
                #expect(Set(tokens).count == tokens.count)
            }
            for node in 0..<tree.count where tree.parents[node] >= 0 {
                #expect(tree.parents[node] < node)
                #expect(tree.depths[node] == tree.depths[tree.parents[node]] + 1)
                #expect(tree.scores[node] <= tree.scores[tree.parents[node]])
            }
        }
    }

    @Test func pruningKeepsTheBestClosedSubtree() {
        var tree = DraftTree()
        tree.insert(path: [1, 2, 3, 4], scores: [0.9, 0.8, 0.7, 0.1], source: DraftSources(.index))
        tree.insert(path: [5, 6], scores: [0.6, 0.5], source: DraftSources(.index))
        let pruned = tree.pruned(to: 4)
        #expect(pruned.count == 4)
        #expect(Set((0..<pruned.count).map { pruned.path(to: $0) }) == [[1], [1, 2], [1, 2, 3], [5]])
        #expect(tree.pruned(to: 10) == tree)
    }

    @Test func pruningEqualsSortingEveryNode() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            var tree = DraftTree()
            for _ in 0..<Int.random(in: 1...25, using: &rng) {
                let path = (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt32.random(in: 0..<3, using: &rng) }
                // Coarse scores, so ties between nodes are common.
                var score = 1.0
                let scores = path.map { _ in
                    score *= [1.0, 0.5, 0.25][Int.random(in: 0..<3, using: &rng)]
                    return score
                }
                tree.insert(path: path, scores: scores, source: DraftSources(.context))
            }
            let limit = Int.random(in: 0...tree.count, using: &rng)
            let maxLeaves = Bool.random(using: &rng) ? Int.random(in: 1...5, using: &rng) : Int.max
            // The reference: every node ranked by score, then depth, then index; parents first;
            // a node that would make one leaf too many is passed over, and so is its subtree.
            let order = (0..<tree.count).sorted {
                (tree.scores[$0], -tree.depths[$0], -$0) > (tree.scores[$1], -tree.depths[$1], -$1)
            }
            var keep = Set<Int>()
            var leaves = 0
            for node in order where keep.count < limit && (tree.parents[node] < 0 || keep.contains(tree.parents[node])) {
                let parent = tree.parents[node]
                let addsLeaf = parent < 0 || keep.contains { tree.parents[$0] == parent }
                if addsLeaf && leaves == maxLeaves { continue }
                if addsLeaf { leaves += 1 }
                keep.insert(node)
            }
            var want = DraftTree()
            var map: [Int: Int] = [-1: -1]
            for node in 0..<tree.count where keep.contains(node) {
                map[node] = want.add(tree.tokens[node], under: map[tree.parents[node]]!, score: tree.scores[node],
                                     source: tree.sources[node])
            }
            let pruned = tree.pruned(to: limit, maxLeaves: maxLeaves)
            #expect(pruned == want)
            #expect(pruned.leaves.count <= maxLeaves)
        }
    }

    @Test func batchLayoutIsDepthFirstWithBestPathFirst() {
        var tree = DraftTree()
        tree.insert(path: [1, 2], scores: [0.5, 0.4], source: DraftSources(.index))
        tree.insert(path: [3, 4, 5], scores: [0.9, 0.8, 0.7], source: DraftSources(.index))
        tree.insert(path: [3, 6], scores: [0.9, 0.3], source: DraftSources(.index))
        let layout = TreeBatchLayout(tree)
        #expect(layout.order.map { tree.tokens[$0] } == [3, 4, 5, 6, 1, 2])
        #expect(layout.leafCount == 3)
        for (position, node) in layout.order.enumerated() where tree.parents[node] >= 0 {
            #expect(layout.order.firstIndex(of: tree.parents[node])! < position)
        }
        // Every node's sequences are exactly those of the leaves below it.
        for node in 0..<tree.count {
            let below = tree.leaves.filter { leaf in
                var n = leaf
                while n >= 0 && n != node { n = tree.parents[n] }
                return n == node
            }
            #expect(Set(below.map { layout.sequenceRange[$0].lowerBound }) == Set(layout.sequenceRange[node]))
        }
        let three = tree.child(of: -1, token: 3)!, four = tree.child(of: three, token: 4)!, six = tree.child(of: three, token: 6)!
        #expect(layout.isLeadingPath([three, four]))
        #expect(!layout.isLeadingPath([three, six]))
    }
}
