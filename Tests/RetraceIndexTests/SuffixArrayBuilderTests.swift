import Testing
import RetraceTestSupport
@testable import RetraceIndex

/// The suffix array of `symbols` plus sentinel by sorting every suffix directly.
func bruteForceSuffixArray(_ symbols: [UInt32]) -> [Int32] {
    let n = symbols.count
    let order = (0...n).sorted { a, b in
        var i = a, j = b
        while i < n && j < n {
            if symbols[i] != symbols[j] { return symbols[i] < symbols[j] }
            i += 1; j += 1
        }
        return i == n && j != n
    }
    return order.map { Int32($0) }
}

@Suite struct SuffixArrayBuilderTests {
    func check(_ symbols: [UInt32], alphabet: Int) {
        let built = SuffixArrayBuilder.build(symbols: symbols, alphabetSize: alphabet)
        #expect(built == bruteForceSuffixArray(symbols), "symbols: \(symbols.prefix(40))")
    }

    @Test func randomStrings() {
        var rng = SeededGenerator(seed: 1)
        for trial in 0..<200 {
            let n = Int.random(in: 0...300, using: &rng)
            let alphabet = [2, 3, 5, 50, 1000][trial % 5]
            let s = (0..<n).map { _ in UInt32.random(in: 0..<UInt32(alphabet), using: &rng) }
            check(s, alphabet: alphabet)
        }
    }

    @Test func oneRepeatedSymbol() {
        for n in [1, 2, 3, 10, 257, 2000] { check([UInt32](repeating: 7, count: n), alphabet: 8) }
    }

    @Test func periodicStrings() {
        for period in [2, 3, 7] {
            let s = (0..<1500).map { UInt32($0 % period + 1) }
            check(s, alphabet: period + 1)
        }
    }

    @Test func thousandsOfTinyDocuments() {
        var rng = SeededGenerator(seed: 2)
        var s: [UInt32] = []
        for _ in 0..<3000 {
            for _ in 0..<Int.random(in: 1...3, using: &rng) { s.append(UInt32.random(in: 1...4, using: &rng)) }
            s.append(0)
        }
        check(s, alphabet: 5)
    }

    @Test func idsAboveSixteenBits() {
        var rng = SeededGenerator(seed: 3)
        let s = (0..<2000).map { i in UInt32.random(in: 65_530..<65_545, using: &rng) + (i % 2 == 0 ? 196_600 : 0) }
        check(s, alphabet: 262_145)
    }
}
