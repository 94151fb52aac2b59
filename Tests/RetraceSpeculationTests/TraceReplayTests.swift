import Testing
import RetraceCore
@testable import RetraceSpeculation

/// A drafter that proposes fixed trees in turn and records what it is told.
private struct ScriptedDrafter: Drafter {
    var trees: [DraftTree]
    var committed: [[TokenID]] = []
    var learned: [Int] = []
    mutating func start(prompt: [TokenID]) {}
    mutating func draft() throws -> DraftTree { trees.isEmpty ? DraftTree() : trees.removeFirst() }
    mutating func learn(from tree: DraftTree, result: VerificationResult) { learned.append(result.acceptedDraftTokens) }
    mutating func commit(_ tokens: [TokenID]) { committed.append(tokens) }
}

private func chain(_ tokens: [TokenID]) -> DraftTree {
    var tree = DraftTree()
    tree.insert(path: tokens, scores: tokens.map { _ in 0.5 }, source: DraftSources(.context))
    return tree
}

@Suite struct TraceReplayTests {
    @Test func acceptsTheLongestTruePathPlusOneAndFeedsBackExactly() throws {
        var branchy = chain([5, 6, 9])
        branchy.insert(path: [5, 7], scores: [0.5, 0.4], source: DraftSources(.index))
        // truth: 5 6 7 8 9 10. Step 1: tree 5-6-9 / 5-7 accepts 5 6, bonus 7. Step 2: empty
        // tree, bonus 8. Step 3: chain 9 10 11 accepts 9 10, end of recording: the drafter is
        // told what a host committing 9 10 would say (9 accepted, 10 the bonus).
        var drafter = ScriptedDrafter(trees: [branchy, DraftTree(), chain([9, 10, 11])])
        let outcome = try TraceReplay.run(drafter: &drafter, prompt: [1, 2], truth: [5, 6, 7, 8, 9, 10],
                                          plan: { tree, _, _ in tree })
        #expect(drafter.committed == [[5, 6, 7], [8], [9, 10]])
        #expect(drafter.learned == [2, 0, 1])
        #expect(outcome.steps == 3 && outcome.tokens == 6 && outcome.verifiedNodes == 7)
        #expect(outcome.acceptedBySource == [.context: 4, .index: 1])  // node 5 came from both sources
    }

    /// With the target's recorded top tokens, the verification reports them on the true path
    /// (the recorded token first, even where the teacher-forced pass ranked it second) and
    /// nothing off it.
    @Test func reportsTheTargetsTopTokensOnTheTruePath() {
        var tree = chain([5, 6, 9])
        tree.insert(path: [8], scores: [0.3], source: DraftSources(.index))
        let target = TraceReplay.RecordedTarget(topTokens: [[5, 40], [41, 6, 42], [44, 43], [8]])
        let truth: [TokenID] = [5, 6, 7, 8]
        let p = TraceReplay.predictions(for: tree, truth: truth[...], target: target)
        // As many tokens as measured: 6 moved to the front, 7 (unranked) pushing out 43.
        #expect(p.topTokens == [[5, 40], [6, 41, 42], [7, 44], [], []])
        #expect(TraceReplay.predictions(for: tree, truth: truth[...]).topTokens == [[5], [6], [7], [], []])
        // A drafter that recycles top tokens learns the alternatives the target ranked.
        var recycled = RetrievalDrafter(index: nil, settings: .init(sources: [.recycled]))
        _ = try? TraceReplay.run(drafter: &recycled, prompt: [1, 2], truth: truth, target: target, plan: { tree, _, _ in tree })
        let followers = (recycled.sources.first as? RecycledTokenSource)?.followers
        #expect(followers?[2]?.contains(40) == true, "\(String(describing: followers))")
    }

    /// The picked path is the tree's path along the recording, cut at the limit.
    @Test func recordedPathFollowsTheRecordingThroughTheTree() {
        var tree = chain([5, 6, 9])
        tree.insert(path: [5, 6, 7, 8], scores: [0.5, 0.5, 0.3, 0.2], source: DraftSources(.index))
        tree.insert(path: [4], scores: [0.9], source: DraftSources(.trie))
        let truth: [TokenID] = [5, 6, 7, 8, 1]
        let path = TraceReplay.recordedPath(in: tree, truth: truth[...], limit: 16)
        #expect(path.tokens == [5, 6, 7, 8] && path.parents == [-1, 0, 1, 2])
        #expect(path.scores == [0.5, 0.5, 0.3, 0.2])
        #expect(TraceReplay.recordedPath(in: tree, truth: truth[...], limit: 2).tokens == [5, 6])
        #expect(TraceReplay.recordedPath(in: tree, truth: [3, 5][...], limit: 16).isEmpty)
    }

    @Test func chargesTheCostCurveIncludingReDecodedPaths() throws {
        let cost = CostModel(contextLengths: [0], batchSizes: [1, 2, 4, 8], milliseconds: [[1, 2, 4, 8]])
        var tree = chain([7, 7])            // leading path 7-7
        tree.insert(path: [5, 6], scores: [0.4, 0.3], source: DraftSources(.context))  // second branch
        var drafter = ScriptedDrafter(trees: [tree, DraftTree()])
        // Step 1 accepts the second branch (5 6), not the leading path: 1 pending + 4 nodes = cost 5;
        // its 3 tokens are decoded again next step: 3 pending + 0 nodes = cost 3.
        let outcome = try TraceReplay.run(drafter: &drafter, prompt: [1], truth: [5, 6, 4, 3],
                                          plan: { tree, _, _ in tree }, cost: cost)
        #expect(outcome.steps == 2)
        #expect(abs(outcome.cost - 8) < 1e-9)
    }

    @Test func promptLookupMatchesTheReferenceHarness() throws {
        var pld = PromptLookupDrafter(length: 3)
        pld.start(prompt: [1, 2, 3, 4, 9, 2, 3, 4, 8, 1, 2, 3])
        // Last 3 tokens "1 2 3" occur at 0; the next 3 tokens follow.
        #expect(try pld.draft().tokens == [4, 9, 2])
        pld.commit([7])
        // "2 3 7" and "3 7" are absent; "7" too: nothing.
        #expect(try pld.draft().isEmpty)
        pld.commit([2, 3])
        // "7 2 3" absent; "2 3" most recently at 9 (before the end), followed by 7 2 3.
        #expect(try pld.draft().tokens == [7, 2, 3])
    }

    @Test func longestPrefixIsBruteForce() {
        let history: [TokenID] = [1, 2, 3, 1, 2, 4, 1]
        #expect(TraceReplay.longestPrefix(of: [1, 2, 4, 5][...], in: history, limit: 8) == 3)
        #expect(TraceReplay.longestPrefix(of: [1, 2, 4, 5][...], in: history, limit: 2) == 2)
        #expect(TraceReplay.longestPrefix(of: [9][...], in: history, limit: 8) == 0)
    }
}
