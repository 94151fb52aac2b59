import Testing
@testable import RetraceSpeculation

@Suite struct ContextSuffixAutomatonTests {
    /// End positions of `pattern` in `tokens`.
    static func ends(of pattern: ArraySlice<UInt32>, in tokens: [UInt32]) -> [Int] {
        guard !pattern.isEmpty, pattern.count <= tokens.count else { return [] }
        return (pattern.count - 1..<tokens.count).filter { tokens[($0 - pattern.count + 1)...$0].elementsEqual(pattern) }
    }

    @Test func longestRepeatedSuffixCountsAndEndsEqualBruteForce() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<60 {
            var automaton = ContextSuffixAutomaton()
            let alphabet = UInt32.random(in: 2...5, using: &rng)
            let tokens = (0..<Int.random(in: 1...60, using: &rng)).map { _ in UInt32.random(in: 0..<alphabet, using: &rng) }
            for (n, token) in tokens.enumerated() {
                automaton.append(token)
                let text = Array(tokens[...n])
                // Longest suffix that also ends earlier.
                var want = 0
                for length in stride(from: n, through: 1, by: -1) where Self.ends(of: text.suffix(length), in: text).count >= 2 {
                    want = length
                    break
                }
                #expect(automaton.longestRepeatedSuffix.length == want, "\(text)")
            }
            // Every pattern of up to 3 tokens: occurrences and most recent end.
            for length in 1...3 where length <= tokens.count {
                for start in 0...(tokens.count - length) {
                    let pattern = tokens[start..<start + length]
                    let ends = Self.ends(of: pattern, in: tokens)
                    let state = automaton.state(of: pattern)
                    #expect(state.map(automaton.occurrences(of:)) == ends.count)
                    #expect(state.map(automaton.lastEnd(of:)) == ends.last)
                }
            }
            #expect(automaton.state(of: [99]) == nil)
        }
    }

    @Test func continuationsOfTheLongestMatchEqualBruteForce() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<150 {
            var automaton = ContextSuffixAutomaton()
            let tokens = (0..<Int.random(in: 2...80, using: &rng)).map { _ in UInt32.random(in: 0..<3, using: &rng) }
            automaton.append(contentsOf: tokens)
            let match = automaton.longestRepeatedSuffix
            guard match.length > 0 else { continue }
            let pattern = tokens.suffix(match.length)
            var want: [UInt32: (count: Int, resume: Int)] = [:]
            for e in Self.ends(of: pattern, in: tokens) where e + 1 < tokens.count {
                let next = tokens[e + 1]
                want[next] = ((want[next]?.count ?? 0) + 1, e + 2)
            }
            let got = automaton.continuations(of: match.state)
            #expect(got.count == want.count, "\(tokens)")
            for c in got {
                #expect(want[c.token]?.count == c.occurrences && want[c.token]?.resume == c.resume, "\(tokens)")
            }
        }
    }

    @Test func periodicTextStaysCheapAndFindsTheMatch() {
        var automaton = ContextSuffixAutomaton()
        let tokens = (0..<20_000).map { UInt32($0 % 3) }
        automaton.append(contentsOf: tokens)
        #expect(automaton.longestRepeatedSuffix.length == tokens.count - 3)
        #expect(automaton.continuations(of: automaton.longestRepeatedSuffix.state).map(\.token) == [UInt32(tokens.count % 3)])
        #expect(automaton.stateCount <= 2 * tokens.count)
    }
}
