import Testing
import RetraceCore
import RetraceTestSupport
@testable import RetraceSpeculation

/// Each drafting source against brute force where there is one, and the fusion's invariants.
@Suite struct SourceTests {
    /// Windows of `length` starting at every position (shorter at the end), as the trie source inserts them.
    static func windowCounts(_ text: [UInt32], length: Int) -> [[UInt32]: Double] {
        var counts: [[UInt32]: Double] = [:]
        for start in text.indices {
            let window = Array(text[start..<min(text.count, start + length)])
            for k in 1...window.count { counts[Array(window[..<k]), default: 0] += 1 }
        }
        return counts
    }

    @Test func trieCountsEqualBruteForceAndSurvivePersistence() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<40 {
            let text = (0..<Int.random(in: 1...60, using: &rng)).map { _ in UInt32.random(in: 0..<4, using: &rng) }
            var trie = NGramTrie()
            for start in text.indices { trie.insert(text[start..<min(text.count, start + 5)]) }
            let want = Self.windowCounts(text, length: 5)
            #expect(trie.nodeCount == want.count)
            for (path, count) in want { #expect(trie.node(of: path).map(trie.count(of:)) == count) }
            trie.decay(by: 0.5)
            for (path, count) in want { #expect(trie.node(of: path).map(trie.count(of:)) == count * 0.5) }
            // Everything changed is reported once; a trie rebuilt from it is the same.
            let changes = trie.takeChanges()
            #expect(changes.upserts.count == want.count && trie.takeChanges().upserts.isEmpty)
            let restored = NGramTrie(stored: changes.upserts.shuffled(using: &rng), scale: changes.scale)
            for (path, count) in want { #expect(restored.node(of: path).map(restored.count(of:)) == count * 0.5) }
        }
    }

    @Test func trieTopChildrenEqualSortingAllChildren() {
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<40 {
            var trie = NGramTrie()
            for _ in 0..<Int.random(in: 1...80, using: &rng) {
                trie.insert([UInt32.random(in: 0..<3, using: &rng), UInt32.random(in: 0..<12, using: &rng)],
                            weight: [0.5, 1, 2][Int.random(in: 0..<3, using: &rng)])
            }
            for node in [NGramTrie.root] + (0..<3).compactMap({ trie.child(of: NGramTrie.root, token: $0) }) {
                let all = trie.children(of: node)
                for limit in 1...4 {
                    let (best, total) = trie.topChildren(of: node, limit: limit)
                    #expect(best.map(\.node) == all.sorted { $0.count > $1.count }.prefix(limit).map(\.node))
                    #expect(abs(total - all.reduce(0) { $0 + $1.count }) < 1e-9)
                }
                #expect(trie.hasChildren(node) == !all.isEmpty)
            }
        }
    }

    @Test func triePruningKeepsTheStrongestWholePaths() {
        var trie = NGramTrie()
        for _ in 0..<5 { trie.insert([1, 2, 3]) }
        for _ in 0..<3 { trie.insert([1, 4]) }
        trie.insert([7, 8, 9])
        _ = trie.takeChanges()
        trie.prune(to: 4)
        #expect(trie.nodeCount == 4)
        #expect(trie.node(of: [1, 2, 3]) != nil && trie.node(of: [1, 4]) != nil && trie.node(of: [7]) == nil)
        let changes = trie.takeChanges()
        #expect(Set(changes.removals) == [[7], [7, 8], [7, 8, 9]])
        // Garbage in storage is skipped: a node without its parent, a negative count.
        let restored = NGramTrie(stored: [([5], 1), ([6, 6], 2), ([5, 1], -1)], scale: 1)
        #expect(restored.nodeCount == 1)
    }

    @Test func trieSourceDraftsWhatAnEarlierGenerationSaid() throws {
        var source = TrieSource()
        source.windowLength = 8
        source.start(prompt: [1, 2, 3])
        source.commit([10, 11, 12, 13, 14, 15])
        // A new generation ending in 10 11: the trie knows what followed.
        source.start(prompt: [9, 10, 11])
        var sink = CandidateSink(calibration: SourceCalibration(), minimumScore: 0.0001)
        source.propose(into: &sink)
        let tree = sink.finishedTree
        #expect(tree.path(to: try #require(tree.leaves.first)).starts(with: [12, 13]))
        #expect(tree.sources.allSatisfy { $0 == DraftSources(.trie) })
    }

    @Test func trigramCountsEqualBruteForceAndPUCTExplores() {
        var rng = SeededGenerator(seed: 11)
        let text = (0..<300).map { _ in UInt32.random(in: 0..<3, using: &rng) }
        var source = TrigramSource()
        source.decay = 1
        source.start(prompt: text)
        var want: [[UInt32]: [UInt32: Int]] = [:]
        for i in 2..<text.count { want[[text[i - 2], text[i - 1]], default: [:]][text[i], default: 0] += 1 }
        for (pair, followers) in want {
            let got = source.ranked(pair[0], pair[1], limit: 8)
            let total = Double(followers.values.reduce(0, +))
            #expect(got.count == followers.count)
            for f in got { #expect(abs(f.share - Double(followers[f.token]!) / total) < 1e-9 && f.observations == total) }
        }
        // A follower that keeps failing gives way to an untried one.
        var adaptive = TrigramSource()
        adaptive.start(prompt: [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 4, 1, 2])
        #expect(adaptive.ranked(1, 2, limit: 1).first?.token == 3)
        for _ in 0..<30 {
            var tree = DraftTree()
            tree.add(3, under: -1, score: 0.5, source: DraftSources(.trigram))
            let result = GreedyVerifier.verify(tree, predictions: TargetPredictions(rootPrediction: 4, nodePredictions: [0]))
            adaptive.observe(tree: tree, result: result)
        }
        #expect(adaptive.ranked(1, 2, limit: 1).first?.token == 4)
        // Bounded: past maxPairs, the pairs seen least go.
        var bounded = TrigramSource()
        bounded.maxPairs = 10
        bounded.start(prompt: [1, 2, 3, 1, 2, 3, 1, 2, 3] + (100..<120).map { UInt32($0) })
        #expect(bounded.pairCount <= 10 && !bounded.ranked(1, 2, limit: 1).isEmpty)
    }

    @Test func recycledFollowersComeFromTheTargetsTopTokens() {
        var source = RecycledTokenSource(k: 3, branching: [2, 1])
        source.start(prompt: [5, 6])
        var tree = DraftTree()
        let a = tree.add(7, under: -1, score: 0.5, source: DraftSources(.context))
        let result = GreedyVerifier.verify(tree, predictions: TargetPredictions(
            rootPrediction: 7, nodePredictions: [8], topTokens: [[7, 9, 10], [8, 11, 12]]))
        source.observe(tree: tree, result: result)
        source.commit(result.tokens)   // 7 8: last token 8
        #expect(source.followers[6] == [7, 9, 10] && source.followers[7] == [8, 11, 12] && a == 0)
        source.start(prompt: [1, 6])
        var sink = CandidateSink(calibration: SourceCalibration(), minimumScore: 0.0001)
        source.propose(into: &sink)
        let drafted = sink.finishedTree
        #expect(drafted.children(of: -1).map { drafted.tokens[$0] } == [7, 9])
        #expect(drafted.child(of: drafted.child(of: -1, token: 7)!, token: 8) != nil)
    }

    @Test func fusionMergesWithoutDuplicatesAndAgreementRaisesScores() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            var sink = CandidateSink(calibration: SourceCalibration(), minimumScore: 0.0001, maxDepth: 6)
            for _ in 0..<12 {
                let source = DraftSource.allCases.randomElement(using: &rng)!
                let path = (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt32.random(in: 0..<3, using: &rng) }
                sink.addChain(path, frequency: path.map { _ in Double.random(in: 0.2...1, using: &rng) },
                              proposal: DraftProposal(source: source, matchLength: 3))
            }
            let tree = sink.finishedTree
            for node in -1..<tree.count {
                let tokens = tree.children(of: node).map { tree.tokens[$0] }
                #expect(Set(tokens).count == tokens.count, "no duplicate children")
                if node >= 0 {
                    for child in tree.children(of: node) { #expect(tree.scores[child] <= tree.scores[node] + 1e-12) }
                    #expect(!sink.proposals.proposals(of: node).isEmpty)
                    #expect(Set(sink.proposals.proposals(of: node).map(\.source)) == Set(tree.sources[node].members))
                }
            }
        }
        var one = CandidateSink(calibration: SourceCalibration())
        one.add(5, under: -1, conditional: 0.5, proposal: DraftProposal(source: .context, matchLength: 2))
        var two = one
        two.add(5, under: -1, conditional: 0.5, proposal: DraftProposal(source: .trie, matchLength: 2))
        #expect(two.finishedTree.scores[0] > one.finishedTree.scores[0] && two.finishedTree.count == 1)
    }
}

/// A draft model that proposes a fixed tree and distribution (a unit-test stand-in).
private struct ScriptedModel: DraftModel {
    var tree: DraftTree
    var next: [UInt32: Double]
    var costPerDecode = 0.1
    mutating func start(prompt: [UInt32]) {}
    mutating func commit(_ tokens: [UInt32]) {}
    mutating func draft(maxNodes: Int, maxDepth: Int) throws -> (tree: DraftTree, next: [UInt32: Double]) { (tree, next) }
}

@Suite struct ModelFusionTests {
    @Test func modelDraftsJoinAndJudgeRetrievalBranches() throws {
        // Context proposes 3 (after "1 2") and the index proposes 7 and 9; the model drafts 3 4
        // and finds 7 unlikely, 9 plausible.
        var model = DraftTree()
        let three = model.add(3, under: -1, score: 0.8, source: DraftSources(.model))
        model.add(4, under: three, score: 0.6, source: DraftSources(.model))
        let provider = FixedProvider(answer: (2, 10, [([7, 8], 5), ([9], 5)]))
        var drafter = RetrievalDrafter(index: provider, model: ScriptedModel(tree: model, next: [3: 0.8, 9: 0.1, 7: 0.001]),
                                       settings: .init(sources: [.index, .context, .model], minimumScore: 0.0001))
        drafter.start(prompt: [1, 2, 3, 5, 1, 2])
        let tree = try drafter.draft()
        let roots = Set(tree.children(of: -1).map { tree.tokens[$0] })
        #expect(roots == [3, 9], "the branch the model finds unlikely (7) is cut, with its subtree")
        let node3 = try #require(tree.child(of: -1, token: 3))
        #expect(tree.sources[node3].contains(DraftSources(.model)) && tree.sources[node3].contains(DraftSources(.context)))
        #expect(tree.child(of: node3, token: 4) != nil)
        // Learning maps the cut tree back onto the proposals (no crash, credit where due).
        let verdict = GreedyVerifier.verify(tree, predictions: TargetPredictions(rootPrediction: 3, nodePredictions: Array(repeating: 0, count: tree.count)))
        drafter.learn(from: tree, result: verdict)
        #expect(verdict.creditedSources[.model] == 1 && verdict.creditedSources[.context] == 1)
    }

    @Test func aTokenTheModelDidNotListIsCutOnlyWhenItsListReachesBelowTheThreshold() {
        func judged(_ next: [UInt32: Double]) -> [UInt32] {
            var sink = CandidateSink(calibration: SourceCalibration())
            sink.add(5, under: -1, conditional: 0.5, proposal: DraftProposal(source: .context, matchLength: 2))
            sink.judgeFirstTokens(by: next, pruneBelow: 0.02) { $0 }
            let tree = sink.finishedTree
            return tree.children(of: -1).map { tree.tokens[$0] }
        }
        #expect(judged([3: 0.6, 4: 0.3]) == [5])       // 5 may still have up to 0.1: kept
        #expect(judged([3: 0.6, 4: 0.01]) == [])       // 5 has at most 0.01: cut
        #expect(judged([5: 0.3]) == [5])
    }
}
