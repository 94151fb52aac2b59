/// The largest entries of a logits row, found sixteen lanes at a time: a verification reads
/// them at every tree row, so a scalar pass over a 49k-token vocabulary per row is a real share
/// of a step. Ties go to the lower index, like llama.cpp's greedy sampler. Pure.
public enum LogitRanking {
    private typealias Lanes = SIMD16<Float>

    /// Index of the largest value (the lowest such index on ties; 0 for an empty row).
    public static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress, values.count > 0 else { return 0 }
        let n = values.count
        let whole = n - n % Lanes.scalarCount
        var maxima = Lanes(repeating: -.infinity)
        var i = 0
        while i < whole {
            maxima = pointwiseMax(maxima, UnsafeRawPointer(base + i).loadUnaligned(as: Lanes.self))
            i += Lanes.scalarCount
        }
        var largest = maxima.max()
        for j in whole..<n where values[j] > largest { largest = values[j] }
        // The first index holding the maximum (a row of NaNs or -inf only: index 0).
        return values.firstIndex { $0 == largest } ?? 0
    }

    /// Indices of the `k` largest values, largest first, ties by lower index (so the first is
    /// ``argmax(_:)``). One pass: blocks of sixteen under the current k-th value are skipped whole.
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
        var threshold = scores[k - 1]
        var i = seed
        while i + Lanes.scalarCount <= n {
            let block = UnsafeRawPointer(base + i).loadUnaligned(as: Lanes.self)
            if any(block .> Lanes(repeating: threshold)) {
                for j in i..<(i + Lanes.scalarCount) where values[j] > threshold {
                    insert(j)
                    threshold = scores[k - 1]
                }
            }
            i += Lanes.scalarCount
        }
        for j in i..<n where values[j] > threshold {
            insert(j)
            threshold = scores[k - 1]
        }
        return ids
    }
}
