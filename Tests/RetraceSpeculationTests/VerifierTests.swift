import Testing
@testable import RetraceSpeculation

@Suite struct VerifierTests {
    /// A stand-in target: its greedy next token is a fixed function of the prefix.
    func target(_ prefix: [UInt32]) -> UInt32 {
        var h: UInt64 = 1469598103934665603
        for t in prefix { h = (h ^ UInt64(t)) &* 1099511628211 }
        return UInt32(h % 3)
    }

    @Test func acceptsExactlyWhatTheTargetWouldEmit() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let committed = (0..<3).map { _ in UInt32.random(in: 0..<3, using: &rng) }
            var tree = DraftTree()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let path = (0..<Int.random(in: 1...4, using: &rng)).map { _ in UInt32.random(in: 0..<3, using: &rng) }
                tree.insert(path: path, scores: path.map { _ in 0.5 }, source: DraftSources(Bool.random(using: &rng) ? .index : .context))
            }
            let predictions = TargetPredictions(
                rootPrediction: target(committed),
                nodePredictions: (0..<tree.count).map { target(committed + tree.path(to: $0)) })
            let result = GreedyVerifier.verify(tree, predictions: predictions)
            // Plain greedy decoding for as many tokens as the step emitted.
            var plain = committed
            for _ in result.tokens { plain.append(target(plain)) }
            #expect(result.tokens == Array(plain.dropFirst(committed.count)))
            #expect(result.tokens.count == result.acceptedNodes.count + 1)
            #expect(result.acceptedNodes.map { tree.tokens[$0] } == Array(result.tokens.dropLast()))
            let credited = result.creditedSources.values.reduce(0, +)
            #expect(credited >= result.acceptedDraftTokens)
        }
    }

    @Test func emptyTreeIsAPlainStep() {
        let result = GreedyVerifier.verify(DraftTree(), predictions: TargetPredictions(rootPrediction: 7, nodePredictions: []))
        #expect(result.tokens == [7] && result.acceptedNodes.isEmpty && result.creditedSources.isEmpty)
    }
}
