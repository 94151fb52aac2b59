import Testing
import RetraceTestSupport
@testable import RetraceIndex

/// A suffix array with its bucket starts and pair table, held in arrays for the searches.
private struct SearchFixture {
    let symbols: [UInt32]
    let suffixes: [UInt32]
    let buckets: [UInt32]
    var starts: [UInt32]
    var entries: [UInt32]

    init(symbols: [UInt32], alphabet: Int) {
        self.symbols = symbols
        let sa = SuffixArrayBuilder.build(symbols: symbols, alphabetSize: alphabet)
        suffixes = sa.map { UInt32($0) }
        var counts = [UInt32](repeating: 0, count: alphabet)
        for s in symbols { counts[Int(s)] += 1 }
        buckets = IndexFormat.runStarts(lengths: counts, from: 1)
        (starts, entries) = symbols.withUnsafeBufferPointer { text in
            sa.withUnsafeBufferPointer { SymbolPairTable.build(symbols: text, suffixes: $0, alphabetSize: alphabet) }
        }
    }

    /// Runs `body` with a search that uses the pair table and one that does not.
    func withSearches<R>(_ body: (_ paired: SuffixArraySearch, _ plain: SuffixArraySearch) -> R) -> R {
        symbols.withUnsafeBufferPointer { text in
            suffixes.withUnsafeBufferPointer { sa in
                buckets.withUnsafeBufferPointer { b in
                    starts.withUnsafeBufferPointer { st in
                        entries.withUnsafeBufferPointer { en in
                            body(SuffixArraySearch(symbols: text, suffixes: sa, bucketStarts: b,
                                                   pairs: SymbolPairTable(starts: st, entries: en)),
                                 SuffixArraySearch(symbols: text, suffixes: sa, bucketStarts: b))
                        }
                    }
                }
            }
        }
    }
}

/// Documents over a small alphabet (symbols 1..<alphabet), each ended by a boundary (0).
private func documents(_ rng: inout SeededGenerator, count: Int, alphabet: UInt32) -> [UInt32] {
    var s: [UInt32] = []
    for _ in 0..<count {
        for _ in 0..<Int.random(in: 1...60, using: &rng) { s.append(UInt32.random(in: 1..<alphabet, using: &rng)) }
        s.append(0)
    }
    return s
}

/// Rows whose suffixes start with `pattern`, by scanning every row.
private func bruteForceCount(_ pattern: [UInt32], in symbols: [UInt32]) -> Int {
    (0..<symbols.count).filter { p in
        pattern.indices.allSatisfy { p + $0 < symbols.count && symbols[p + $0] == pattern[$0] }
    }.count
}

@Suite struct SymbolPairTableTests {
    @Test func searchesWithPairsAnswerAsWithout() {
        var rng = SeededGenerator(seed: 41)
        for alphabet in [UInt32(3), 6, 40] {
            let fixture = SearchFixture(symbols: documents(&rng, count: 80, alphabet: alphabet), alphabet: Int(alphabet))
            #expect(fixture.entries.count / 2 == Int(fixture.starts.last!))
            fixture.withSearches { paired, plain in
                for _ in 0..<400 {
                    var pattern = (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt32.random(in: 1..<alphabet, using: &rng) }
                    if Bool.random(using: &rng) { pattern.append(0) }
                    let got = paired.rows(matching: pattern)
                    #expect(got == plain.rows(matching: pattern) || (got.isEmpty && plain.rows(matching: pattern).isEmpty),
                            "pattern \(pattern)")
                    #expect(got.count == bruteForceCount(pattern, in: fixture.symbols), "pattern \(pattern)")
                    let context = pattern.filter { $0 != 0 }
                    let a = context.withUnsafeBufferPointer { paired.longestSuffixMatch(context: $0, maxLength: 5) }
                    let b = context.withUnsafeBufferPointer { plain.longestSuffixMatch(context: $0, maxLength: 5) }
                    #expect(a.length == b.length && a.rows.count == b.rows.count, "context \(context)")
                }
            }
        }
    }

    @Test func aDamagedTableNeverSendsASearchOutsideItsBucket() {
        var rng = SeededGenerator(seed: 42)
        var fixture = SearchFixture(symbols: documents(&rng, count: 50, alphabet: 5), alphabet: 5)
        // Starts past the entries, and rows shuffled: lookups give up or stay in the bucket.
        fixture.starts[2] = UInt32(fixture.entries.count)
        for i in stride(from: 1, to: fixture.entries.count, by: 2) { fixture.entries[i] = UInt32.random(in: 0...5000, using: &rng) }
        fixture.withSearches { paired, plain in
            for first in UInt32(0)..<5 {
                for second in UInt32(0)..<5 {
                    let bucket = plain.rows(matching: [first])
                    if let r = paired.pairs.rows(first: first, second: second, bucket: bucket), !r.isEmpty {
                        #expect(bucket.contains(r.lowerBound) && r.upperBound <= bucket.upperBound)
                    }
                    _ = paired.rows(matching: [first, second, 1])
                }
            }
        }
    }
}
