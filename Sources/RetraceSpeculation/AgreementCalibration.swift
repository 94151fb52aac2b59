/// Online recalibration of fused nodes by which sources agreed on them. The sink combines the
/// sources' own calibrated acceptances into one estimate (see ``CandidateSink``), assuming a
/// fixed amount of shared evidence between them; how much an agreement of, say, the live
/// context and the n-gram trie is really worth differs from one pair of sources to another and
/// from one text to another. This table learns it: per set of proposing sources, tenth of the
/// combined estimate and depth, the decayed hits and tries of every drafted node whose outcome
/// the verification revealed, with the combined estimate as its prior. Pure.
public struct AgreementCalibration: Sendable, Equatable {
    private static let sourceSets = 1 << DraftSource.allCases.count
    private static let estimateBuckets = 10
    private static let depthBuckets = 3
    static let cellCount = sourceSets * estimateBuckets * depthBuckets
    private var hits = [Double](repeating: 0, count: cellCount)
    private var tries = [Double](repeating: 0, count: cellCount)
    /// Weight of the prior (the combined estimate), in observations.
    public var priorWeight = 8.0
    /// Older observations fade by this factor per update.
    public var decay = 0.999

    public init() {}

    /// The cell of a node proposed by `sources`, with combined estimate `estimate`, at `depth`
    /// (1 = a child of the committed text).
    public static func cell(sources: DraftSources, estimate: Double, depth: Int) -> Int {
        let set = Int(sources.rawValue) & (sourceSets - 1)
        let bucket = min(estimateBuckets - 1, max(0, Int(estimate * Double(estimateBuckets))))
        return index(set: set, estimateBucket: bucket, depthBucket: depth >= 4 ? 2 : depth >= 2 ? 1 : 0)
    }

    private static func index(set: Int, estimateBucket: Int, depthBucket: Int) -> Int {
        (set * estimateBuckets + estimateBucket) * depthBuckets + depthBucket
    }

    /// The recalibrated acceptance of a node in `cell` whose sources' combined estimate is `estimate`.
    public func acceptance(cell: Int, estimate: Double) -> Double {
        (hits[cell] + estimate * priorWeight) / (tries[cell] + priorWeight)
    }

    /// One learned cell: the sources that agreed, the tenth of their combined estimate and the
    /// depth bucket (1, 2–3, 4 and deeper), with its decayed hit and try counts.
    public struct Entry: Sendable, Equatable {
        public var sources: DraftSources
        public var estimateBucket: Int
        public var depthBucket: Int
        public var hits: Double
        public var tries: Double

        public init(sources: DraftSources, estimateBucket: Int, depthBucket: Int, hits: Double, tries: Double) {
            self.sources = sources
            self.estimateBucket = estimateBucket
            self.depthBucket = depthBucket
            self.hits = hits
            self.tries = tries
        }
    }

    /// What has been learned, to be stored and restored across processes.
    public var entries: [Entry] {
        var out: [Entry] = []
        for set in 1..<Self.sourceSets {
            for estimate in 0..<Self.estimateBuckets {
                for depth in 0..<Self.depthBuckets {
                    let cell = Self.index(set: set, estimateBucket: estimate, depthBucket: depth)
                    if tries[cell] > 0 {
                        out.append(Entry(sources: DraftSources(rawValue: UInt16(set)), estimateBucket: estimate, depthBucket: depth,
                                         hits: hits[cell], tries: tries[cell]))
                    }
                }
            }
        }
        return out
    }

    /// A table that starts from stored entries; entries outside the current cells or with
    /// impossible counts are skipped.
    public init(entries: [Entry]) {
        for e in entries where (1..<Self.sourceSets).contains(Int(e.sources.rawValue))
            && (0..<Self.estimateBuckets).contains(e.estimateBucket) && (0..<Self.depthBuckets).contains(e.depthBucket)
            && e.tries.isFinite && e.hits.isFinite && e.tries > 0 && e.hits >= 0 && e.hits <= e.tries {
            let cell = Self.index(set: Int(e.sources.rawValue), estimateBucket: e.estimateBucket, depthBucket: e.depthBucket)
            hits[cell] = e.hits
            tries[cell] = e.tries
        }
    }

    /// Records whether a node in `cell` was the target's token.
    public mutating func record(cell: Int, accepted: Bool) {
        hits[cell] = hits[cell] * decay + (accepted ? 1 : 0)
        tries[cell] = tries[cell] * decay + 1
    }
}
