internal import CRetraceSupport

/// Builds suffix arrays with SA-IS (Nong, Zhang and Chan, 2009): linear time, and apart from
/// the output only one bit per symbol and two integer arrays the size of the alphabet.
///
/// Input is a symbol string over `0..<alphabetSize` (Retrace stores `token + 1`, with `0`
/// marking a document boundary). The builder appends a virtual end sentinel smaller than
/// every symbol, so the output has `count + 1` entries and entry 0 is always `count`.
/// Pure: no I/O.
public enum SuffixArrayBuilder {
    /// Writes the suffix array of `symbols` (plus the end sentinel) into `output`.
    /// - Precondition: `output.count == symbols.count + 1`, every symbol `< alphabetSize`,
    ///   and `symbols.count < Int32.max`.
    public static func build(symbols: UnsafeBufferPointer<UInt32>, alphabetSize: Int,
                             into output: UnsafeMutableBufferPointer<Int32>) {
        precondition(output.count == symbols.count + 1, "output must hold count + 1 entries")
        precondition(symbols.count < Int(Int32.max) - 1, "too many symbols for 32-bit suffix positions")
        guard let sa = output.baseAddress else { return }
        if symbols.isEmpty { sa[0] = 0; return }
        let text = SentinelText(base: symbols.baseAddress!, count: symbols.count + 1)
        sais(text, sa, text.count, alphabetSize + 1)
    }

    /// Convenience for tests and small inputs.
    public static func build(symbols: [UInt32], alphabetSize: Int) -> [Int32] {
        var output = [Int32](repeating: 0, count: symbols.count + 1)
        symbols.withUnsafeBufferPointer { s in
            output.withUnsafeMutableBufferPointer { build(symbols: s, alphabetSize: alphabetSize, into: $0) }
        }
        return output
    }
}

/// A string SA-IS can sort: its last symbol is 0 and occurs nowhere else.
protocol SymbolString {
    var count: Int { get }
    func symbol(_ i: Int) -> Int
    /// Starts loading symbol `i` into the cache.
    func prefetch(_ i: Int)
}

/// The input symbols shifted up by one, followed by the sentinel 0.
struct SentinelText: SymbolString {
    let base: UnsafePointer<UInt32>
    let count: Int
    @inline(__always) func symbol(_ i: Int) -> Int { i == count &- 1 ? 0 : Int(base[i]) &+ 1 }
    @inline(__always) func prefetch(_ i: Int) { retrace_prefetch(base + i) }
}

/// A reduced string from an earlier level, stored inside the suffix-array buffer.
struct ReducedText: SymbolString {
    let base: UnsafeMutablePointer<Int32>
    let count: Int
    @inline(__always) func symbol(_ i: Int) -> Int { Int(base[i]) }
    @inline(__always) func prefetch(_ i: Int) { retrace_prefetch(base + i) }
}

/// One level of SA-IS over `s` of length `n` (last symbol the unique sentinel 0), alphabet
/// `0..<k`, writing into `sa[0..<n]`.
func sais<S: SymbolString>(_ s: S, _ sa: UnsafeMutablePointer<Int32>, _ n: Int, _ k: Int) {
    if n == 1 { sa[0] = 0; return }
    // Suffix types as a bitset (1 = S, 0 = L): an eighth of a byte array, so the random
    // type lookups of the induction scans mostly hit the cache.
    let words = (n + 63) >> 6
    let t = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
    defer { t.deallocate() }
    t.initialize(repeating: 0, count: words)
    @inline(__always) func isS(_ i: Int) -> Bool { (t[i >> 6] >> UInt64(i & 63)) & 1 != 0 }
    @inline(__always) func setS(_ i: Int) { t[i >> 6] |= 1 << UInt64(i & 63) }
    setS(n - 1)
    var i = n - 3
    var next = s.symbol(n - 2)  // the suffix at n - 2 is L: its symbol exceeds the sentinel
    var nextIsS = false
    while i >= 0 {
        let a = s.symbol(i)
        let type = a < next || (a == next && nextIsS)
        if type { setS(i) }
        next = a
        nextIsS = type
        i -= 1
    }
    @inline(__always) func isLMS(_ i: Int) -> Bool { i > 0 && isS(i) && !isS(i - 1) }

    let counts = UnsafeMutablePointer<Int32>.allocate(capacity: k)
    let bucket = UnsafeMutablePointer<Int32>.allocate(capacity: k)
    defer { counts.deallocate(); bucket.deallocate() }
    counts.initialize(repeating: 0, count: k)
    for j in 0..<n { counts[s.symbol(j)] &+= 1 }

    @inline(__always) func loadBuckets(ends: Bool) {
        var sum: Int32 = 0
        for c in 0..<k {
            sum &+= counts[c]
            bucket[c] = ends ? sum : sum &- counts[c]
        }
    }
    /// Induces L-type suffixes left to right, then S-type right to left, from what `sa`
    /// holds. Reads ahead by `lookahead` rows, prefetching the symbol and type each row will
    /// need, so the random reads overlap instead of stalling one by one.
    let lookahead = 24
    func induce() {
        loadBuckets(ends: false)
        for j in 0..<n {
            if j &+ lookahead < n {
                let q = Int(sa[j &+ lookahead]) &- 1
                if q >= 0 { s.prefetch(q); retrace_prefetch(t + (q >> 6)) }
            }
            let p = Int(sa[j]) - 1
            if p >= 0 && !isS(p) {
                let c = s.symbol(p)
                sa[Int(bucket[c])] = Int32(truncatingIfNeeded: p)
                bucket[c] &+= 1
            }
        }
        loadBuckets(ends: true)
        var j = n - 1
        while j >= 0 {
            if j >= lookahead {
                let q = Int(sa[j &- lookahead]) &- 1
                if q >= 0 { s.prefetch(q); retrace_prefetch(t + (q >> 6)) }
            }
            let p = Int(sa[j]) - 1
            if p >= 0 && isS(p) {
                let c = s.symbol(p)
                bucket[c] &-= 1
                sa[Int(bucket[c])] = Int32(truncatingIfNeeded: p)
            }
            j -= 1
        }
    }

    // Stage 1: sort LMS substrings.
    loadBuckets(ends: true)
    for j in 0..<n { sa[j] = -1 }
    for j in 1..<n where isLMS(j) {
        let c = s.symbol(j)
        bucket[c] &-= 1
        sa[Int(bucket[c])] = Int32(truncatingIfNeeded: j)
    }
    induce()

    var n1 = 0
    for j in 0..<n {
        if j &+ lookahead < n { retrace_prefetch(t + (Int(max(0, sa[j &+ lookahead])) >> 6)) }
        if isLMS(Int(sa[j])) {
            sa[n1] = sa[j]
            n1 += 1
        }
    }
    for j in n1..<n { sa[j] = -1 }
    var name = 0
    var previous = -1
    for j in 0..<n1 {
        if j &+ lookahead < n1 {
            let q = Int(sa[j &+ lookahead])
            s.prefetch(q)
            retrace_prefetch(t + (q >> 6))
            retrace_prefetch_write(sa + (n1 + q / 2))
        }
        let pos = Int(sa[j])
        var differs = false
        var d = 0
        while true {
            if previous == -1 || s.symbol(pos + d) != s.symbol(previous + d) || isS(pos + d) != isS(previous + d) {
                differs = true
                break
            }
            if d > 0 && (isLMS(pos + d) || isLMS(previous + d)) { break }
            d += 1
        }
        if differs {
            name += 1
            previous = pos
        }
        sa[n1 + pos / 2] = Int32(truncatingIfNeeded: name - 1)
    }
    var w = n - 1
    var r = n - 1
    while r >= n1 {
        if sa[r] >= 0 {
            sa[w] = sa[r]
            w -= 1
        }
        r -= 1
    }

    // Stage 2: sort the reduced string, recursing while names repeat.
    let s1 = sa + (n - n1)
    if name < n1 {
        sais(ReducedText(base: s1, count: n1), sa, n1, name)
    } else {
        for j in 0..<n1 { sa[Int(s1[j])] = Int32(truncatingIfNeeded: j) }
    }

    // Stage 3: induce the full order from the sorted LMS suffixes.
    loadBuckets(ends: true)
    var m = 0
    for j in 1..<n where isLMS(j) {
        s1[m] = Int32(truncatingIfNeeded: j)
        m += 1
    }
    for j in 0..<n1 { sa[j] = s1[Int(sa[j])] }
    for j in n1..<n { sa[j] = -1 }
    var j = n1 - 1
    while j >= 0 {
        if j >= lookahead { s.prefetch(Int(sa[j &- lookahead])) }
        let p = Int(sa[j])
        sa[j] = -1
        let c = s.symbol(p)
        bucket[c] &-= 1
        sa[Int(bucket[c])] = Int32(truncatingIfNeeded: p)
        j -= 1
    }
    induce()
}
