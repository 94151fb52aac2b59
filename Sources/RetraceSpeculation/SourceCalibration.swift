/// Online estimate, per source, of the probability that the target accepts a drafted token
/// given that the token before it was accepted, learned from the session's own verifications
/// and bucketed by how long the retrieval match was. Pure.
public struct SourceCalibration: Sendable {
    private struct Counts { var hits: Double; var tries: Double }
    private var counts: [DraftSource: [Counts]] = [:]
    private let buckets = [1, 2, 4, 8, 16]
    /// Weight of the prior, in observations.
    public var priorWeight = 4.0
    /// Older observations fade by this factor per update, so the estimate follows the text.
    public var decay = 0.995

    public init() {}

    private func bucket(_ matchLength: Int) -> Int {
        buckets.lastIndex { matchLength >= $0 } ?? 0
    }

    private func prior(_ matchLength: Int) -> Double {
        // Longer matches predict better; a 1-token match is a weak hint.
        min(0.85, 0.25 + 0.1 * Double(matchLength))
    }

    /// Estimated conditional acceptance for `source` after a match of `matchLength` tokens.
    public func acceptance(_ source: DraftSource, matchLength: Int) -> Double {
        let p = prior(matchLength)
        guard let c = counts[source]?[bucket(matchLength)] else { return p }
        return (c.hits + p * priorWeight) / (c.tries + priorWeight)
    }

    /// Records whether a token `source` proposed, after an accepted prefix, was accepted.
    public mutating func record(_ source: DraftSource, matchLength: Int, accepted: Bool) {
        var row = counts[source] ?? Array(repeating: Counts(hits: 0, tries: 0), count: buckets.count)
        for i in row.indices {
            row[i].hits *= decay
            row[i].tries *= decay
        }
        let b = bucket(matchLength)
        row[b].tries += 1
        if accepted { row[b].hits += 1 }
        counts[source] = row
    }
}
