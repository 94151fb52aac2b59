import RetraceCore
import RetraceLMDB

/// What `verify` checked and what it found wrong.
public struct VerificationReport: Sendable, Codable {
    public var checks: [String] = []
    public var problems: [String] = []
    public var isValid: Bool { problems.isEmpty }
}

extension TokenIndex {
    /// Checks the index: metadata against the stored arrays, suffix-array order (on a sample
    /// of `sampleSize` adjacent rows, or on every row and as a permutation with `full`),
    /// bucket starts, checksums (`full`) and the dynamic store's counters.
    public func verify(full: Bool, sampleSize: Int = 20_000) throws -> VerificationReport {
        var report = VerificationReport()
        let s = search
        let n = metadata.symbolCount
        func problem(_ text: String) { report.problems.append(text) }

        report.checks.append("metadata: format \(metadata.formatVersion), \(metadata.tokenCount) tokens in \(metadata.documentCount) documents")
        if metadata.tokenCount + metadata.documentCount != n {
            problem("token and document counts do not add up to the \(n) stored symbols")
        }
        if n > 0 && s.symbols[n - 1] != 0 { problem("the token store does not end with a document boundary") }

        if full {
            var boundaries = 0
            let vocabulary = UInt32(metadata.tokenizer.vocabularySize)
            for symbol in s.symbols {
                if symbol == 0 { boundaries += 1 } else if symbol > vocabulary {
                    problem("token store holds id \(symbol - 1), outside the vocabulary"); break
                }
            }
            if boundaries != metadata.documentCount {
                problem("token store has \(boundaries) document boundaries, metadata says \(metadata.documentCount)")
            }
            report.checks.append("token store: every id in the vocabulary, \(boundaries) boundaries")
            if Checksum.of(UnsafeRawBufferPointer(s.symbols)) != metadata.symbolsChecksum { problem("token store checksum mismatch") }
            if Checksum.of(UnsafeRawBufferPointer(s.suffixes)) != metadata.suffixArrayChecksum { problem("suffix array checksum mismatch") }
            report.checks.append("checksums of token store and suffix array")
            var seen = [UInt64](repeating: 0, count: (n + 1 + 63) / 64)
            for p in s.suffixes {
                let i = Int(p)
                guard i <= n else { problem("suffix array holds position \(i) past the end"); break }
                if seen[i >> 6] & (1 << UInt64(i & 63)) != 0 { problem("suffix array repeats position \(i)"); break }
                seen[i >> 6] |= 1 << UInt64(i & 63)
            }
            report.checks.append("suffix array is a permutation of 0...\(n)")
        }

        let rowsToCheck: [Int]
        if full || n <= sampleSize {
            rowsToCheck = Array(1..<max(1, n))
        } else {
            var rng = SystemRandomNumberGenerator()
            rowsToCheck = (0..<sampleSize).map { _ in Int.random(in: 1..<n, using: &rng) }
        }
        var outOfOrder = 0
        for row in rowsToCheck where !suffixIsSmaller(s.position(ofRow: row), s.position(ofRow: row + 1), n: n) {
            outOfOrder += 1
            if outOfOrder == 1 { problem("suffix array rows \(row) and \(row + 1) are out of order") }
        }
        report.checks.append("suffix-array order on \(rowsToCheck.count) adjacent row pairs\(full ? " (all)" : " (sample)")")

        var badBuckets = 0
        for c in stride(from: 0, to: s.bucketStarts.count - 1, by: max(1, (s.bucketStarts.count - 1) / 4096)) {
            let start = Int(s.bucketStarts[c]), end = Int(s.bucketStarts[c + 1])
            if start > end || end > n + 1 { badBuckets += 1; continue }
            if start < end && s.symbol(at: s.position(ofRow: start)) != UInt32(c) { badBuckets += 1 }
        }
        if badBuckets > 0 { problem("\(badBuckets) symbol buckets point at the wrong rows") }
        report.checks.append("symbol bucket starts")

        if !s.pairs.isEmpty {
            let pairs = s.pairs
            var badPairs = 0
            let firsts = full ? Array(0..<(pairs.starts.count - 1))
                : Array(stride(from: 0, to: pairs.starts.count - 1, by: max(1, (pairs.starts.count - 1) / 4096)))
            for c in firsts {
                let bucketStart = Int(s.bucketStarts[c]), bucketEnd = Int(s.bucketStarts[c + 1])
                let lo = Int(pairs.starts[c]), hi = Int(pairs.starts[c + 1])
                // Checked before any range is formed: a damaged table must not crash the check.
                guard lo <= hi, hi <= pairs.count, bucketStart <= bucketEnd else { badPairs += 1; continue }
                let bucket = bucketStart..<bucketEnd
                if (lo == hi) != bucket.isEmpty || (lo < hi && Int(pairs.entries[2 * lo + 1]) != bucket.lowerBound) {
                    badPairs += 1
                    continue
                }
                for e in lo..<hi {
                    let row = Int(pairs.entries[2 * e + 1])
                    guard bucket.contains(row), row < s.suffixes.count else { badPairs += 1; break }
                    let p = s.position(ofRow: row)
                    if s.symbol(at: p) != UInt32(c) || s.symbol(at: p + 1) != pairs.entries[2 * e] { badPairs += 1; break }
                }
            }
            if badPairs > 0 { problem("\(badPairs) symbol pair entries point at the wrong rows") }
            report.checks.append("symbol pair starts (\(pairs.count) pairs)")
        }

        let (documents, tokens) = try dynamicStatistics()
        let stored = try environment.read { txn in try txn.count(dynamic.documents) }
        if stored != documents { problem("dynamic store holds \(stored) documents, its counter says \(documents)") }
        report.checks.append("dynamic store: \(documents) documents, \(tokens) tokens")
        return report
    }

    /// Whether the suffix at `a` sorts before the suffix at `b` (the end sorts first).
    private func suffixIsSmaller(_ a: Int, _ b: Int, n: Int) -> Bool {
        var i = a, j = b
        while i < n && j < n {
            let x = search.symbols[i], y = search.symbols[j]
            if x != y { return x < y }
            i += 1
            j += 1
        }
        return i == n && j != n
    }
}
