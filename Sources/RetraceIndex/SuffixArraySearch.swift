/// Binary search over a suffix array that lives in borrowed memory (the LMDB memory map).
/// Pure: it only reads the two buffers it is given.
///
/// Symbols are `token + 1`; `0` marks a document boundary, so a pattern (which never holds
/// a 0) can never match across documents.
public struct SuffixArraySearch: @unchecked Sendable {
    /// The symbol string, one entry per token plus one boundary after each document.
    public let symbols: UnsafeBufferPointer<UInt32>
    /// `symbols.count + 1` suffix positions; entry 0 is the end sentinel.
    public let suffixes: UnsafeBufferPointer<UInt32>
    /// For each symbol `c`, the first suffix-array row starting with `c`; `alphabetSize + 1`
    /// entries. Narrows every search by its first symbol. Empty when absent.
    public let bucketStarts: UnsafeBufferPointer<UInt32>
    /// Where each pair of leading symbols starts: narrows a search by its first two symbols
    /// (within the bucket). Empty when absent.
    public let pairs: SymbolPairTable

    public init(symbols: UnsafeBufferPointer<UInt32>, suffixes: UnsafeBufferPointer<UInt32>,
                bucketStarts: UnsafeBufferPointer<UInt32>, pairs: SymbolPairTable = .empty) {
        self.symbols = symbols
        self.suffixes = suffixes
        self.bucketStarts = bucketStarts
        self.pairs = pairs
    }

    /// All rows, sentinel excluded.
    public var allRows: Range<Int> { 1..<suffixes.count }

    /// Symbol at text position `position`, or 0 (a boundary) past the end. Positions come
    /// from the stored suffix array, so they are range-checked: a damaged file cannot make a
    /// read go astray.
    @inline(__always)
    public func symbol(at position: Int) -> UInt32 {
        position >= 0 && position < symbols.count ? symbols[position] : 0
    }

    /// Text position of suffix-array row `row`.
    @inline(__always)
    public func position(ofRow row: Int) -> Int { Int(suffixes[row]) }

    /// Rows whose suffixes start with `pattern` (symbols, no zeros).
    public func rows(matching pattern: UnsafeBufferPointer<UInt32>) -> Range<Int> {
        guard let first = pattern.first else { return allRows }
        var lo = 1, hi = suffixes.count
        if !bucketStarts.isEmpty {
            let c = Int(first)
            guard c + 1 < bucketStarts.count else { return 1..<1 }
            // Clamped: a damaged bucket table must not send the search outside the array.
            lo = min(max(Int(bucketStarts[c]), 1), suffixes.count)
            hi = min(max(Int(bucketStarts[c + 1]), lo), suffixes.count)
            // The bucket is the answer for one symbol.
            if lo >= hi || pattern.count == 1 { return lo..<hi }
            if let pair = pairs.rows(first: first, second: pattern[1], bucket: lo..<hi) {
                if pair.isEmpty || pattern.count == 2 { return pair }
                return narrow(pair, depth: 2, by: UnsafeBufferPointer(rebasing: pattern[2...]))
            }
        }
        return narrow(lo..<hi, depth: 0, by: pattern)
    }

    /// Rows of `range`, whose suffixes all share their first `depth` symbols, that continue
    /// with `pattern` after them.
    public func narrow(_ range: Range<Int>, depth: Int, by pattern: UnsafeBufferPointer<UInt32>) -> Range<Int> {
        let lo = range.lowerBound, hi = range.upperBound
        guard !pattern.isEmpty, lo < hi else { return range }
        let start = bound(pattern, at: depth, lo, hi, upper: false)
        guard start < hi, compare(row: start, at: depth, pattern) == 0 else { return start..<start }
        // Matches are usually few: gallop from the first one instead of bisecting the range.
        var step = 1
        var last = start  // known to match
        while last + step < hi && compare(row: last + step, at: depth, pattern) == 0 {
            last += step
            step <<= 1
        }
        let end = bound(pattern, at: depth, last + 1, min(hi, last + step), upper: true)
        return start..<end
    }

    /// Order of row `row`'s suffix, from its symbol `depth` on, against `pattern`, on
    /// `pattern.count` symbols.
    @inline(__always)
    private func compare(row: Int, at depth: Int, _ pattern: UnsafeBufferPointer<UInt32>) -> Int {
        let position = Int(suffixes[row]) + depth
        for d in 0..<pattern.count {
            let a = symbol(at: position + d), b = pattern[d]
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }

    /// Rows matching `pattern`, for callers holding an array.
    public func rows(matching pattern: [UInt32]) -> Range<Int> {
        pattern.withUnsafeBufferPointer { rows(matching: $0) }
    }

    /// Longest suffix of `context` (at most `maxLength` symbols) that occurs in the text, and
    /// its rows. Occurrence is monotone in the length, so the length is binary searched.
    ///
    /// `previous`, when given, is this search's answer for `context` without its last
    /// `appended` symbols (same `maxLength`). No suffix can then match longer than
    /// `previous.length + appended`, and when that suffix does occur its rows are found by
    /// narrowing `previous.rows`: few, nearby reads instead of a search of the whole array.
    public func longestSuffixMatch(context: UnsafeBufferPointer<UInt32>, maxLength: Int,
                                   after previous: SuffixMatch? = nil, appended: Int = 0) -> SuffixMatch {
        let limit = min(maxLength, context.count)
        guard limit > 0 else { return SuffixMatch(length: 0, rows: 1..<1) }
        func rows(ofSuffix length: Int) -> Range<Int> {
            self.rows(matching: UnsafeBufferPointer(rebasing: context[(context.count - length)...]))
        }
        var upper = limit
        var tryUpperFirst = true
        if let previous, appended >= 0, previous.length + appended <= limit {
            if appended == 0 { return previous }
            if previous.length > 0 {
                let extended = narrow(previous.rows, depth: previous.length,
                                      by: UnsafeBufferPointer(rebasing: context[(context.count - appended)...]))
                if !extended.isEmpty { return SuffixMatch(length: previous.length + appended, rows: extended) }
                upper = previous.length + appended - 1
                // The match just broke: the new one is most likely short.
                tryUpperFirst = false
            } else {
                upper = appended
            }
        }
        // Long matches are the common case when drafting: try the longest first.
        if tryUpperFirst {
            let longest = rows(ofSuffix: upper)
            if !longest.isEmpty { return SuffixMatch(length: upper, rows: longest) }
            upper -= 1
        }
        var best = rows(ofSuffix: 1)
        guard !best.isEmpty else { return SuffixMatch(length: 0, rows: best) }
        var lo = 1, hi = upper  // invariant: lo matches; lengths above hi fail
        var bestLength = 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            let r = rows(ofSuffix: mid)
            if r.isEmpty {
                hi = mid - 1
            } else {
                lo = mid
                best = r
                bestLength = mid
            }
        }
        return SuffixMatch(length: bestLength, rows: best)
    }

    /// First row in `lo..<hi` whose suffix, from its symbol `depth` on, is ≥ `pattern` (or >
    /// it, for `upper`), comparing `pattern.count` symbols. Skips the prefix shared by both ends.
    private func bound(_ pattern: UnsafeBufferPointer<UInt32>, at depth: Int, _ lo: Int, _ hi: Int, upper: Bool) -> Int {
        var lo = lo, hi = hi
        var lcpLo = 0, lcpHi = 0
        while lo < hi {
            let mid = (lo + hi) >> 1
            let position = Int(suffixes[mid]) + depth
            var d = min(lcpLo, lcpHi)
            var order = 0
            while d < pattern.count {
                let a = symbol(at: position + d), b = pattern[d]
                if a != b { order = a < b ? -1 : 1; break }
                d += 1
            }
            if order < 0 || (upper && order == 0) {
                lo = mid + 1
                lcpLo = d
            } else {
                hi = mid
                lcpHi = d
            }
        }
        return lo
    }
}

/// A suffix-array search's longest match: its length in symbols and its rows.
public struct SuffixMatch: Sendable, Equatable {
    public var length: Int
    public var rows: Range<Int>

    public init(length: Int, rows: Range<Int>) {
        self.length = length
        self.rows = rows
    }
}
