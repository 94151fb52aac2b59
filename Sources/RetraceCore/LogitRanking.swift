import CRetraceSupport

/// The largest entries of a logits row: a verification reads them at every tree row, and a
/// plain step at its one row, so a slow pass over a 49k-token vocabulary is a real share of a
/// step. The scans are vectorised C (Swift's generic SIMD types compiled to scalar code with
/// stack round trips here: 250 µs a row). Ties go to the lower index, like llama.cpp's greedy
/// sampler. Pure.
public enum LogitRanking {
    /// Index of the largest value (the lowest such index on ties; 0 for an empty row or one
    /// of NaNs only).
    public static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress, values.count > 0 else { return 0 }
        let n = values.count
        let largest = retrace_max_f32(base, n)
        let i = retrace_first_at_least_f32(base, 0, n, largest)
        return i < n ? i : 0
    }

    /// Indices of the `k` largest values, largest first, ties by lower index (so the first is
    /// ``argmax(_:)``). One pass: only values above the current k-th are looked at one by one.
    public static func top(_ k: Int, of values: UnsafeBufferPointer<Float>) -> [Int] {
        let n = values.count
        guard k > 1 else { return n > 0 && k == 1 ? [argmax(values)] : [] }
        guard let base = values.baseAddress else { return [] }
        let seed = min(k, n)
        var ids: [Int] = []
        var scores: [Float] = []
        ids.reserveCapacity(k + 1)
        scores.reserveCapacity(k + 1)
        func insert(_ i: Int) {
            let v = values[i]
            var position = scores.count
            while position > 0 && v > scores[position - 1] { position -= 1 }
            scores.insert(v, at: position)
            ids.insert(i, at: position)
            if ids.count > k {
                scores.removeLast()
                ids.removeLast()
            }
        }
        for i in 0..<seed { insert(i) }
        guard seed == k else { return ids }
        var i = retrace_first_above_f32(base, seed, n, scores[k - 1])
        while i < n {
            insert(i)
            i = retrace_first_above_f32(base, i + 1, n, scores[k - 1])
        }
        return ids
    }
}
