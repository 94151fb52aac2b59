/// Online estimate of the probability that the target accepts a drafted token given that the
/// token before it was accepted, per source, by how long the retrieval match was and by the
/// token's depth in the draft (copying, once started, tends to go on). Learned from the
/// session's own verifications, starting from a prior. Pure.
public struct SourceCalibration: Sendable {
    private struct Counts { var hits = 0.0; var tries = 0.0 }
    /// One cell per source, match bucket, depth bucket and agreement level, flat (drafting
    /// reads it for every node it adds); `tries == 0` where nothing was observed.
    private var counts = [Counts](repeating: Counts(), count: Self.cellCount)
    /// Match lengths from 1, 2, 4, 8 and 16 on; depths from 1, 2 and 4 on.
    private static let lengthBucketCount = 5
    private static let depthBucketCount = 3
    /// Agreement levels a source may give (0 to 3; higher ones count as 3).
    private static let evidenceLevels = 4
    private static let maxMatchBuckets = 11
    private static let cellCount = DraftSource.allCases.count * maxMatchBuckets * depthBucketCount * evidenceLevels
    /// How much each set of agreeing sources is really worth (the fused estimate recalibrated).
    public var agreement = AgreementCalibration()
    /// Weight of the prior, in observations.
    public var priorWeight = 16.0
    /// Older observations fade by this factor per update, so the estimate follows the text.
    public var decay = 0.998

    public init() {}

    /// One learned cell: a source, a match-length bucket, a depth bucket and an agreement level
    /// (indices, not raw lengths), with its decayed hit and try counts.
    public struct Entry: Sendable, Equatable {
        public var source: DraftSource
        public var matchBucket: Int
        public var depthBucket: Int
        public var evidence: Int
        public var hits: Double
        public var tries: Double

        public init(source: DraftSource, matchBucket: Int, depthBucket: Int, evidence: Int, hits: Double, tries: Double) {
            self.source = source
            self.matchBucket = matchBucket
            self.depthBucket = depthBucket
            self.evidence = evidence
            self.hits = hits
            self.tries = tries
        }
    }

    /// What has been learned, in a stable order, to be stored and restored across processes.
    public var entries: [Entry] {
        var out: [Entry] = []
        for source in DraftSource.allCases {
            for match in 0..<Self.matchBucketCount(source) {
                for depth in 0..<Self.depthBucketCount {
                    for evidence in 0..<Self.evidenceLevels {
                        let c = counts[Self.cell(source, match, depth, evidence)]
                        if c.tries > 0 {
                            out.append(Entry(source: source, matchBucket: match, depthBucket: depth, evidence: evidence,
                                             hits: c.hits, tries: c.tries))
                        }
                    }
                }
            }
        }
        return out
    }

    /// A calibration that starts from stored entries; entries outside the current buckets or
    /// with impossible counts are skipped.
    public init(entries: [Entry]) {
        for e in entries where (0..<Self.matchBucketCount(e.source)).contains(e.matchBucket)
            && (0..<Self.depthBucketCount).contains(e.depthBucket) && (0..<Self.evidenceLevels).contains(e.evidence)
            && e.tries.isFinite && e.hits.isFinite && e.tries > 0 && e.hits >= 0 && e.hits <= e.tries {
            counts[Self.cell(e.source, e.matchBucket, e.depthBucket, e.evidence)] = Counts(hits: e.hits, tries: e.tries)
        }
    }

    /// The bucket of a match length: the last of 1, 2, 4, 8, 16 it reaches.
    private static func lengthBucket(_ value: Int) -> Int {
        value >= 16 ? 4 : value >= 8 ? 3 : value >= 4 ? 2 : value >= 2 ? 1 : 0
    }

    /// The bucket of a depth: the last of 1, 2, 4 it reaches.
    private static func depthBucket(_ depth: Int) -> Int { depth >= 4 ? 2 : depth >= 2 ? 1 : 0 }

    /// Match buckets: by match length, except a draft model's, whose "match length" is its
    /// probability in percent, bucketed by tenths.
    private static func matchBucket(_ source: DraftSource, _ matchLength: Int) -> Int {
        source == .model ? min(10, max(0, matchLength / 10)) : lengthBucket(matchLength)
    }

    private static func matchBucketCount(_ source: DraftSource) -> Int { source == .model ? 11 : lengthBucketCount }

    private static func cell(_ source: DraftSource, _ matchBucket: Int, _ depthBucket: Int, _ evidence: Int) -> Int {
        ((source.rawValue * maxMatchBuckets + matchBucket) * depthBucketCount + depthBucket) * evidenceLevels + evidence
    }

    private static func cell(_ source: DraftSource, matchLength: Int, depth: Int, evidence: Int) -> Int {
        cell(source, matchBucket(source, matchLength), depthBucket(depth), min(max(evidence, 0), evidenceLevels - 1))
    }

    /// The prior, per source: longer retrieval matches predict better, a recycled follower's
    /// rank and a tri-gram's number of observations say how much to expect, and a continuation
    /// that only some earlier occurrences agree on (evidence 2: most, 3: fewer than half)
    /// deserves less. Deeper tokens start from the same prior and earn more trust from what the
    /// session observes at their depth.
    static func prior(_ source: DraftSource, matchLength: Int, evidence: Int) -> Double {
        switch source {
        case .index, .context, .trie:
            let base = min(0.85, 0.25 + 0.1 * Double(matchLength))
            return evidence == 3 ? base * 0.4 : evidence == 2 ? base * 0.75 : base
        case .trigram: return min(0.5, 0.1 + 0.05 * Double(matchLength))
        case .recycled: return 0.35 / Double(max(1, matchLength))
        case .model: return min(0.95, max(0.01, Double(matchLength) / 100))
        }
    }

    /// Estimated conditional acceptance of a token at `depth` (1 = child of the committed
    /// context) proposed by `source` after a match of `matchLength` tokens.
    public func acceptance(_ source: DraftSource, matchLength: Int, depth: Int = 1, evidence: Int = 0) -> Double {
        let p = Self.prior(source, matchLength: matchLength, evidence: evidence)
        let c = counts[Self.cell(source, matchLength: matchLength, depth: depth, evidence: evidence)]
        return (c.hits + p * priorWeight) / (c.tries + priorWeight)
    }

    /// Records whether a token `source` proposed at `depth`, after an accepted prefix, was accepted.
    public mutating func record(_ source: DraftSource, matchLength: Int, depth: Int = 1, evidence: Int = 0, accepted: Bool) {
        let k = Self.cell(source, matchLength: matchLength, depth: depth, evidence: evidence)
        counts[k].hits = counts[k].hits * decay + (accepted ? 1 : 0)
        counts[k].tries = counts[k].tries * decay + 1
    }
}
