import Foundation
public import RetraceCore

/// RAPID's shortened context for a drafter model: a long document split into chunks, ranked
/// by BM25 against a query (the instruction, and the text generated so far), the best chunks
/// kept within a token budget, in document order. Terms are token ids, so ranking needs no
/// other tokenizer. Pure.
public struct ContextShortener: Sendable {
    /// The chunks' tokens, in document order.
    public let chunks: [[TokenID]]
    private let documentFrequency: [TokenID: Int]
    private let averageLength: Double
    public var k1 = 1.2
    public var b = 0.75

    public init(chunks: [[TokenID]]) {
        self.chunks = chunks
        var df: [TokenID: Int] = [:]
        for chunk in chunks { for t in Set(chunk) { df[t, default: 0] += 1 } }
        documentFrequency = df
        averageLength = Double(chunks.reduce(0) { $0 + $1.count }) / Double(max(chunks.count, 1))
    }

    /// BM25 score of every chunk for `query`.
    public func scores(for query: [TokenID]) -> [Double] {
        let n = Double(chunks.count)
        let terms = Set(query)
        return chunks.map { chunk in
            var tf: [TokenID: Int] = [:]
            for t in chunk where terms.contains(t) { tf[t, default: 0] += 1 }
            var score = 0.0
            let relativeLength: Double = Double(chunk.count) / max(averageLength, 1)
            let norm: Double = k1 * (1 - b + b * relativeLength)
            for (t, count) in tf {
                let df = Double(documentFrequency[t] ?? 0)
                let idf: Double = log(1 + (n - df + 0.5) / (df + 0.5))
                let f = Double(count)
                score += idf * f * (k1 + 1) / (f + norm)
            }
            return score
        }
    }

    /// Indices of the best chunks for `query` whose tokens fit `budget`, in document order.
    public func select(query: [TokenID], budget: Int) -> [Int] {
        let s = scores(for: query)
        var used = 0
        var chosen: [Int] = []
        for i in chunks.indices.sorted(by: { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }) {
            guard used + chunks[i].count <= budget else { continue }
            used += chunks[i].count
            chosen.append(i)
        }
        return chosen.sorted()
    }
}
