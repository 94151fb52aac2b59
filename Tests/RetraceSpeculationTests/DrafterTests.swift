import Testing
@testable import RetraceSpeculation

struct FixedProvider: ContinuationProvider {
    var answer: (matchLength: Int, occurrences: Int, continuations: [(tokens: [UInt32], count: Int)])
    func continuations(of context: [UInt32], top: Int, length: Int, state: inout ContinuationState) throws
        -> (matchLength: Int, occurrences: Int, continuations: [(tokens: [UInt32], count: Int)]) { answer }
}

@Suite struct DrafterTests {
    @Test func mergesIndexAndContextIntoScoredTree() throws {
        let provider = FixedProvider(answer: (3, 10, [([7, 8, 9], 6), ([7, 5], 3)]))
        var drafter = RetrievalDrafter(index: provider, settings: .init(sources: [.index, .context], maxDepth: 4))
        drafter.start(prompt: [1, 2, 3, 7, 8, 1, 2, 3])
        let tree = try drafter.draft()
        let seven = try #require(tree.child(of: -1, token: 7))
        #expect(tree.sources[seven] == [DraftSources(.index), DraftSources(.context)])
        #expect(tree.child(of: seven, token: 8) != nil && tree.child(of: seven, token: 5) != nil)
        let eight = tree.child(of: seven, token: 8)!, five = tree.child(of: seven, token: 5)!
        #expect(tree.scores[eight] > tree.scores[five])
        for node in 0..<tree.count where tree.parents[node] >= 0 { #expect(tree.scores[node] <= tree.scores[tree.parents[node]]) }
    }

    @Test func learnsFromAPrunedTree() throws {
        var drafter = RetrievalDrafter(index: FixedProvider(answer: (3, 10, [([9, 9, 9], 10)])),
                                       settings: .init(sources: [.index, .context], maxDepth: 4))
        drafter.start(prompt: [1, 2, 3, 4, 1, 2])
        let before = drafter.calibration.acceptance(.context, matchLength: 2, depth: 1)
        var credited = false
        for _ in 0..<20 {
            // The sizer keeps the best node only; its index differs from the drafted tree's.
            let kept = try drafter.draft().pruned(to: 1)
            #expect(kept.count == 1)
            credited = kept.sources[0].contains(DraftSources(.context))
            let verdict = GreedyVerifier.verify(kept, predictions: TargetPredictions(rootPrediction: kept.tokens[0], nodePredictions: [0]))
            drafter.learn(from: kept, result: verdict)
        }
        // The live context proposed the kept token (a hit each time) or only tokens the sizer
        // cut, which the target's token shows to be misses.
        let after = drafter.calibration.acceptance(.context, matchLength: 2, depth: 1)
        #expect(credited ? after > before : after < before)
        #expect(drafter.calibration.acceptance(.index, matchLength: 3, depth: 1) > SourceCalibration().acceptance(.index, matchLength: 3))
    }

    @Test func agreementCalibrationLearnsWhatAnAgreementIsWorth() {
        var table = AgreementCalibration()
        let pair: DraftSources = [DraftSources(.context), DraftSources(.trie)]
        let cell = AgreementCalibration.cell(sources: pair, estimate: 0.55, depth: 1)
        #expect(table.acceptance(cell: cell, estimate: 0.55) == 0.55)           // the prior: the estimate itself
        for _ in 0..<100 { table.record(cell: cell, accepted: false) }
        #expect(table.acceptance(cell: cell, estimate: 0.55) < 0.1)
        // Other sets, estimates and depths are cells of their own.
        #expect(AgreementCalibration.cell(sources: DraftSources(.context), estimate: 0.55, depth: 1) != cell)
        #expect(AgreementCalibration.cell(sources: pair, estimate: 0.75, depth: 1) != cell)
        #expect(AgreementCalibration.cell(sources: pair, estimate: 0.55, depth: 2) != cell)
        #expect(AgreementCalibration.cell(sources: pair, estimate: 0.51, depth: 3) == AgreementCalibration.cell(sources: pair, estimate: 0.59, depth: 2))
        let restored = AgreementCalibration(entries: table.entries)
        #expect(restored == table && table.entries.count == 1 && table.entries[0].sources == pair)
        let bad = AgreementCalibration(entries: [.init(sources: pair, estimateBucket: 10, depthBucket: 0, hits: 0, tries: 1),
                                                 .init(sources: DraftSources(), estimateBucket: 1, depthBucket: 0, hits: 0, tries: 1),
                                                 .init(sources: pair, estimateBucket: 1, depthBucket: 0, hits: 3, tries: 1)])
        #expect(bad.entries.isEmpty)
    }

    @Test func agreedNodesScoreWhatTheirAgreementEarned() throws {
        var sink = CandidateSink(calibration: SourceCalibration(), minimumScore: 0.0001)
        let index = DraftProposal(source: .index, matchLength: 3), context = DraftProposal(source: .context, matchLength: 3)
        sink.add(7, under: -1, conditional: 0.5, proposal: index)
        sink.add(7, under: -1, conditional: 0.5, proposal: context)
        let (fresh, _, cells) = sink.finish()
        // An agreement of the index and the live context that never paid.
        var calibration = SourceCalibration()
        for _ in 0..<200 { calibration.agreement.record(cell: cells[0], accepted: false) }
        var learned = CandidateSink(calibration: calibration, minimumScore: 0.0001)
        learned.add(7, under: -1, conditional: 0.5, proposal: index)
        learned.add(7, under: -1, conditional: 0.5, proposal: context)
        let tree = learned.finishedTree
        #expect(fresh.scores[0] > 0.6 && tree.scores[0] < 0.1, "\(fresh.scores) \(tree.scores)")
    }

    @Test func learnsTheOutcomeOfNodesTheSizerCut() throws {
        var drafter = RetrievalDrafter(index: FixedProvider(answer: (3, 10, [([9, 9, 9], 6), ([8, 8], 4)])),
                                       settings: .init(sources: [.index], maxDepth: 4))
        drafter.start(prompt: [1, 2, 3])
        let full = try drafter.draft()
        #expect(full.child(of: -1, token: 8) != nil)
        let kept = full.pruned(to: 1)
        #expect(kept.tokens == [9])
        // The target says 8: the verified 9 missed, and the cut 8 would have been right.
        let verdict = GreedyVerifier.verify(kept, predictions: TargetPredictions(rootPrediction: 8, nodePredictions: [0]))
        drafter.learn(from: kept, result: verdict)
        let entries = drafter.calibration.agreement.entries
        #expect(entries.contains { $0.hits == 1 && $0.tries == 1 }, "\(entries)")
        #expect(entries.contains { $0.hits == 0 && $0.tries >= 1 }, "\(entries)")
        // A second verdict without a new draft teaches nothing (a host committing without drafting).
        drafter.learn(from: kept, result: verdict)
        #expect(drafter.calibration.agreement.entries == entries)
    }

    @Test func calibrationLearnsFromOutcomes() {
        var c = SourceCalibration()
        let before = c.acceptance(.context, matchLength: 4)
        for _ in 0..<200 { c.record(.context, matchLength: 4, accepted: false) }
        #expect(c.acceptance(.context, matchLength: 4) < before / 4)
        for _ in 0..<400 { c.record(.index, matchLength: 2, accepted: true) }
        #expect(c.acceptance(.index, matchLength: 2) > 0.9)
    }

    @Test func sizerSkipsTreesThatCannotPay() {
        let steep = CostModel(contextLengths: [0], batchSizes: [1, 2, 4], milliseconds: [[10, 18, 34]])
        let flat = CostModel(contextLengths: [0], batchSizes: [1, 2, 4, 64], milliseconds: [[10, 10.5, 11, 14]])
        var tree = DraftTree()
        tree.insert(path: [1, 2, 3], scores: [0.6, 0.4, 0.2], source: DraftSources(.index))
        #expect(TreeSizer(cost: steep).size(tree, pending: 1, context: 0).isEmpty)
        #expect(TreeSizer(cost: flat, minimumGain: 1).size(tree, pending: 1, context: 0).count == 3)
        var confident = DraftTree()
        confident.insert(path: [1, 2, 3, 4], scores: [0.99, 0.98, 0.97, 0.96], source: DraftSources(.index))
        #expect(TreeSizer(cost: steep, minimumGain: 1).size(confident, pending: 1, context: 0).count >= 1)
    }

    @Test func costCurveInterpolatesBetweenContextLengths() {
        let curve = CostModel(contextLengths: [100, 300], batchSizes: [1, 2], milliseconds: [[10, 12], [20, 30]])
        #expect(abs(curve.relativeCost(batch: 2, context: 100) - 1.2) < 1e-9)
        #expect(abs(curve.relativeCost(batch: 2, context: 200) - 1.35) < 1e-9)   // halfway between 1.2 and 1.5
        #expect(abs(curve.relativeCost(batch: 2, context: 5000) - 1.5) < 1e-9)   // beyond: the last row
        #expect(abs(curve.milliseconds(batch: 1, context: 50) - 10) < 1e-9)
    }

    @Test func observedCostCorrectsTheCurveAfterEnoughSteps() {
        let curve = CostModel(contextLengths: [0], batchSizes: [1, 4], milliseconds: [[10, 20]])
        var cost = ObservedCost(calibrated: curve)
        #expect(abs(cost.relativeCost(batch: 4, context: 0) - 2) < 1e-9)
        cost.record(batch: 4, context: 0, milliseconds: 40)            // one slow step barely counts
        #expect(cost.relativeCost(batch: 4, context: 0) < 2.4)
        for _ in 0..<50 {
            cost.record(batch: 1, context: 0, milliseconds: 10)
            cost.record(batch: 4, context: 0, milliseconds: 30)
        }
        #expect(abs(cost.relativeCost(batch: 4, context: 0) - 3) < 0.05)  // trees really cost 1.5× the curve
        #expect(abs(cost.relativeCost(batch: 2, context: 0) - 1.333) < 0.01)  // unobserved sizes keep the curve
        cost.record(batch: 4, context: 0, milliseconds: .nan)          // ignored
        #expect(cost.relativeCost(batch: 4, context: 0).isFinite)
    }

    @Test func sessionFactorFollowsThisGenerationsHitsAndRecovers() {
        var session = SessionAcceptance()
        #expect(session.factor == 1)
        for _ in 0..<10 { session.record(expected: 0.8, accepted: 0) }   // drafts keep missing
        #expect(session.factor < 0.3)
        let low = session.factor
        for _ in 0..<60 { session.record(expected: 0, accepted: 0) }     // no drafts: the evidence fades
        #expect(session.factor > low && session.factor > 0.6)
        var good = SessionAcceptance()
        for _ in 0..<10 { good.record(expected: 0.5, accepted: 1) }
        #expect(good.factor > 1.3 && good.factor <= 1.5)
    }

    @Test func calibrationEntriesRestoreTheSameEstimates() {
        var c = SourceCalibration()
        for i in 0..<300 {
            c.record(.context, matchLength: 3, depth: 2, evidence: 1, accepted: i % 3 != 0)
            c.record(.index, matchLength: 9, depth: 1, accepted: i % 5 == 0)
        }
        let restored = SourceCalibration(entries: c.entries)
        #expect(restored.entries == c.entries)
        #expect(restored.acceptance(.context, matchLength: 3, depth: 2, evidence: 1) == c.acceptance(.context, matchLength: 3, depth: 2, evidence: 1))
        #expect(restored.acceptance(.index, matchLength: 9) == c.acceptance(.index, matchLength: 9))
        // Damaged entries are skipped, not trusted.
        let bad = SourceCalibration(entries: [.init(source: .index, matchBucket: 99, depthBucket: 0, evidence: 0, hits: 1, tries: 2),
                                              .init(source: .index, matchBucket: 0, depthBucket: 0, evidence: 0, hits: 5, tries: 2),
                                              .init(source: .index, matchBucket: 0, depthBucket: 0, evidence: 0, hits: .nan, tries: 2)])
        #expect(bad.entries.isEmpty)
    }
}

