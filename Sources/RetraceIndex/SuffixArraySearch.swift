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

    public init(symbols: UnsafeBufferPointer<UInt32>, suffixes: UnsafeBufferPointer<UInt32>,
                bucketStarts: UnsafeBufferPointer<UInt32>) {
        self.symbols = symbols
        self.suffixes = suffixes
        self.bucketStarts = bucketStarts
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
            if lo >= hi { return lo..<lo }
        }
        let start = bound(pattern, lo, hi, upper: false)
        guard start < hi, compare(row: start, pattern) == 0 else { return start..<start }
        // Matches are usually few: gallop from the first one instead of bisecting the bucket.
        var step = 1
        var last = start  // known to match
        while last + step < hi && compare(row: last + step, pattern) == 0 {
            last += step
            step <<= 1
        }
        let end = bound(pattern, last + 1, min(hi, last + step), upper: true)
        return start..<end
    }

    /// Order of row `row`'s suffix against `pattern`, on the first `pattern.count` symbols.
    @inline(__always)
    private func compare(row: Int, _ pattern: UnsafeBufferPointer<UInt32>) -> Int {
        let position = Int(suffixes[row])
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
    public func longestSuffixMatch(context: UnsafeBufferPointer<UInt32>, maxLength: Int) -> (length: Int, rows: Range<Int>) {
        let limit = min(maxLength, context.count)
        guard limit > 0 else { return (0, 1..<1) }
        func rows(ofSuffix length: Int) -> Range<Int> {
            self.rows(matching: UnsafeBufferPointer(rebasing: context[(context.count - length)...]))
        }
        // Long matches are the common case when drafting: try the longest first.
        let longest = rows(ofSuffix: limit)
        if !longest.isEmpty { return (limit, longest) }
        var best = rows(ofSuffix: 1)
        guard !best.isEmpty else { return (0, best) }
        var lo = 1, hi = limit - 1  // invariant: lo matches; lengths above hi fail
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
        return (bestLength, best)
    }

    /// First row in `lo..<hi` whose suffix is ≥ `pattern` (or > it, for `upper`), comparing
    /// only the first `pattern.count` symbols. Skips the prefix shared by both ends.
    private func bound(_ pattern: UnsafeBufferPointer<UInt32>, _ lo: Int, _ hi: Int, upper: Bool) -> Int {
        var lo = lo, hi = hi
        var lcpLo = 0, lcpHi = 0
        while lo < hi {
            let mid = (lo + hi) >> 1
            let position = Int(suffixes[mid])
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
