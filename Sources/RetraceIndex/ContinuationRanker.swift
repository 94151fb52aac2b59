import HeapModule

/// Rows of a suffix array that all start with the same match, read at a depth after it.
protocol ContinuationRows {
    /// Symbol `depth` places after the match in row `row`; 0 at a document boundary.
    func symbol(row: Int, depth: Int) -> UInt32
}

/// Finds the most frequent continuations of a match from its suffix-array rows, best first.
///
/// Rows sharing a match are sorted by what follows, so every distinct continuation is a
/// contiguous run and its count is the run's length. The ranker expands runs best-first by
/// count (an upper bound for everything below), so it emits exactly the top continuations
/// while touching few rows. Work is bounded whatever the occurrence count: a run larger
/// than `exactScanLimit` is split by sampling `sampleCount` rows and resolving the runs of
/// the `top` most sampled symbols (children rarer than about 1/`sampleCount` of the run may
/// be missed there), and expansion stops once about `maxRowReads` rows have been read; then
/// the best runs found so far are returned as they are (exact counts, shorter
/// continuations). Pure.
struct ContinuationRanker<Rows: ContinuationRows> {
    let rows: Rows
    let maxLength: Int
    let top: Int
    var exactScanLimit = 64
    var sampleCount = 32
    var maxRowReads = 768

    /// A run of rows sharing a continuation of `length` symbols. Its symbols are not stored:
    /// they are those of any of its rows. Runs in the heap never overlap, and rows are sorted
    /// by their suffixes, so among runs of equal count the one with the lower rows has the
    /// lexicographically smaller continuation (a continuation that ends at a document's end
    /// sorts before any longer one it starts).
    private struct Candidate: Comparable {
        var count: Int
        var length: Int
        var rows: Range<Int>
        var isLeaf: Bool

        static func < (a: Candidate, b: Candidate) -> Bool {
            a.count != b.count ? a.count < b.count : b.rows.lowerBound < a.rows.lowerBound
        }
        static func == (a: Candidate, b: Candidate) -> Bool { a.count == b.count && a.rows.lowerBound == b.rows.lowerBound }
    }

    /// Top continuations (as token ids, decoded from symbols) of the match occupying `range`.
    func rank(_ range: Range<Int>) -> [Continuation] {
        guard top > 0, maxLength > 0, !range.isEmpty else { return [] }
        var heap = Heap<Candidate>()
        heap.insert(Candidate(count: range.count, length: 0, rows: range, isLeaf: false))
        var results: [Continuation] = []
        results.reserveCapacity(top)
        var reads = 0
        while results.count < top, let best = heap.popMax() {
            if best.isLeaf || best.length == maxLength || reads >= maxRowReads {
                // A match followed at once by a document's end continues with nothing.
                if best.length == 0 { continue }
                results.append(Continuation(tokens: tokens(row: best.rows.lowerBound, length: best.length), count: best.count))
                continue
            }
            if best.rows.count <= exactScanLimit {
                reads += best.rows.count
                scanLeaves(best.rows, from: best.length, into: &heap)
            } else {
                reads += expand(best, into: &heap)
            }
        }
        return results
    }

    /// Pushes every distinct continuation of the rows (all sharing their first `depth`
    /// symbols) as a leaf. Rows are compared in place.
    private func scanLeaves(_ range: Range<Int>, from depth: Int, into heap: inout Heap<Candidate>) {
        /// Length of the continuation row `a` shares with `b`, or nil where they differ.
        func sharedLength(_ a: Int, _ b: Int) -> Int? {
            var d = depth
            while d < maxLength {
                let x = rows.symbol(row: a, depth: d)
                if x != rows.symbol(row: b, depth: d) { return nil }
                if x == 0 { return d }
                d += 1
            }
            return d
        }
        /// Length of row `row`'s continuation (up to its boundary or `maxLength`).
        func length(_ row: Int) -> Int {
            var d = depth
            while d < maxLength, rows.symbol(row: row, depth: d) != 0 { d += 1 }
            return d
        }
        var runStart = range.lowerBound
        var runLength = length(runStart)
        for row in range.dropFirst() where sharedLength(runStart, row) == nil {
            heap.insert(Candidate(count: row - runStart, length: runLength, rows: runStart..<row, isLeaf: true))
            runStart = row
            runLength = length(row)
        }
        heap.insert(Candidate(count: range.upperBound - runStart, length: runLength, rows: runStart..<range.upperBound,
                              isLeaf: true))
    }

    /// The first `length` symbols after the match in row `row`, as token ids.
    private func tokens(row: Int, length: Int) -> [UInt32] {
        (0..<length).map { rows.symbol(row: row, depth: $0) &- 1 }
    }

    /// Splits a large run by the symbol at its next depth. Rows are sorted by that symbol,
    /// so evenly spaced samples come out sorted too: each group of equal sampled symbols
    /// brackets its child's run between neighbouring samples, and two binary searches inside
    /// those brackets find the run exactly. Only the `top` largest groups are resolved.
    /// Returns the number of rows it read.
    private func expand(_ node: Candidate, into heap: inout Heap<Candidate>) -> Int {
        var reads = sampleCount
        let depth = node.length
        let range = node.rows
        let n = range.count
        let rows = (0..<sampleCount).map { range.lowerBound + (n * $0) / sampleCount }
        let symbols = rows.map { self.rows.symbol(row: $0, depth: depth) }
        var groups: [(first: Int, last: Int)] = []
        for i in symbols.indices {
            if i > 0 && symbols[i] == symbols[i - 1] { groups[groups.count - 1].last = i } else { groups.append((i, i)) }
        }
        groups.sort { ($0.last - $0.first) > ($1.last - $1.first) }
        let kept = groups.prefix(top)
        // Each kept group's run starts between the sample before it and its first sample, and
        // ends between its last sample and the next one. These searches are independent, so
        // they advance together, one probe each per round: their memory reads overlap instead
        // of waiting on one another.
        var searches: [RowSearch] = []
        searches.reserveCapacity(2 * kept.count)
        for group in kept {
            let symbol = symbols[group.first]
            let startLow = group.first == 0 ? range.lowerBound : rows[group.first - 1] + 1
            searches.append(RowSearch(lo: startLow, hi: rows[group.first] + 1, target: symbol))
            let endHigh = group.last + 1 < rows.count ? rows[group.last + 1] : range.upperBound
            // Past the largest symbol the run ends where the bracket does.
            let endLow = symbol == UInt32.max ? endHigh : rows[group.last] + 1
            searches.append(RowSearch(lo: endLow, hi: endHigh, target: symbol &+ 1))
        }
        var active = true
        while active {
            active = false
            for i in searches.indices where searches[i].lo < searches[i].hi {
                active = true
                reads += 1
                let mid = (searches[i].lo + searches[i].hi) >> 1
                if self.rows.symbol(row: mid, depth: depth) < searches[i].target {
                    searches[i].lo = mid + 1
                } else {
                    searches[i].hi = mid
                }
            }
        }
        for (g, group) in kept.enumerated() {
            let symbol = symbols[group.first]
            let start = searches[2 * g].lo, end = searches[2 * g + 1].lo
            heap.insert(Candidate(count: end - start, length: symbol == 0 ? depth : depth + 1, rows: start..<end,
                                  isLeaf: symbol == 0))
        }
        return reads
    }

    /// One binary search for the first row in `lo..<hi` whose symbol is at least `target`.
    private struct RowSearch {
        var lo: Int
        var hi: Int
        let target: UInt32
    }
}
