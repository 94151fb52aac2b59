import CRetraceSupport

/// Where the suffix-array rows of each pair of leading symbols begin: one entry per distinct
/// pair (its second symbol and its first row), grouped by first symbol and sorted by second,
/// as the rows themselves are. A search for a pattern of two or more symbols starts from its
/// pair's rows, found in a short contiguous list, instead of bisecting the first symbol's
/// whole bucket (a million rows or more for a common token in a 100M-token index, each probe
/// a random read). Pure: it only reads the buffers it is given; empty when an index has none.
public struct SymbolPairTable: @unchecked Sendable {
    /// For each first symbol `c`, the index of its first entry; `alphabetSize + 1` entries.
    public let starts: UnsafeBufferPointer<UInt32>
    /// Two words per entry: the second symbol, then the first row of the pair.
    public let entries: UnsafeBufferPointer<UInt32>

    public init(starts: UnsafeBufferPointer<UInt32>, entries: UnsafeBufferPointer<UInt32>) {
        self.starts = starts
        self.entries = entries
    }

    /// A table that knows nothing (an index built before pair tables).
    public static let empty = SymbolPairTable(starts: UnsafeBufferPointer(start: nil, count: 0),
                                              entries: UnsafeBufferPointer(start: nil, count: 0))

    public var isEmpty: Bool { starts.isEmpty }

    /// Number of distinct pairs.
    public var count: Int { entries.count / 2 }

    /// Rows starting with `first` then `second`, given `bucket`, the rows starting with
    /// `first` (an empty range when the pair never occurs). Nil when the table cannot say:
    /// absent, or inconsistent with the bucket (a damaged file must not send a search astray).
    public func rows(first: UInt32, second: UInt32, bucket: Range<Int>) -> Range<Int>? {
        let c = Int(first)
        guard c + 1 < starts.count else { return nil }
        let lo = Int(starts[c]), hi = Int(starts[c + 1])
        guard lo <= hi, hi <= count else { return nil }
        var a = lo, b = hi
        while a < b {
            let mid = (a + b) >> 1
            if entries[2 * mid] < second { a = mid + 1 } else { b = mid }
        }
        guard a < hi, entries[2 * a] == second else { return bucket.lowerBound..<bucket.lowerBound }
        let start = Int(entries[2 * a + 1])
        let end = a + 1 < hi ? Int(entries[2 * (a + 1) + 1]) : bucket.upperBound
        guard bucket.lowerBound <= start, start < end, end <= bucket.upperBound else { return nil }
        return start..<end
    }

    /// The table of a suffix array: `starts` and `entries` as stored. `suffixes[0]` is the
    /// end sentinel; a symbol past the end reads as 0 (a boundary), as in searches.
    public static func build(symbols: UnsafeBufferPointer<UInt32>, suffixes: UnsafeBufferPointer<Int32>,
                             alphabetSize: Int) -> (starts: [UInt32], entries: [UInt32]) {
        var entries: [UInt32] = []
        var firstCounts = [UInt32](repeating: 0, count: alphabetSize)
        let n = symbols.count
        var previous: (UInt32, UInt32)?
        let lookahead = 32
        for row in 1..<suffixes.count {
            if row + lookahead < suffixes.count {
                let ahead = Int(suffixes[row + lookahead])
                if ahead < n { retrace_prefetch(symbols.baseAddress! + ahead) }
            }
            let p = Int(suffixes[row])
            guard p < n else { continue }
            let pair = (symbols[p], p + 1 < n ? symbols[p + 1] : 0)
            if let previous, previous == pair { continue }
            previous = pair
            entries.append(pair.1)
            entries.append(UInt32(row))
            firstCounts[Int(pair.0)] += 1
        }
        return (IndexFormat.runStarts(lengths: firstCounts, from: 0), entries)
    }
}
