/// How this generation's drafts fare against what the calibration predicted for them: a
/// factor applied to every draft score of the session. The calibration is shared by all
/// generations of a process, and some texts (open role-play, say) accept far fewer drafts than
/// others; this factor lets one generation stop paying for drafts that do not land within a few
/// steps. Steps without drafts pull it back towards 1, so drafting is tried again later. Pure.
public struct SessionAcceptance: Sendable, Equatable {
    /// Accepted draft tokens and the calibration's expectation of them, this generation.
    public private(set) var accepted = 0.0
    public private(set) var expected = 0.0
    /// Pseudo-observations at a factor of 1.
    public var priorWeight = 3.0
    /// Per step without a draft, the evidence fades by this factor.
    public var fade = 0.97
    public var range: ClosedRange<Double> = 0.25...1.5

    public init() {}

    /// The factor for draft scores now.
    public var factor: Double {
        min(range.upperBound, max(range.lowerBound, (accepted + priorWeight) / (expected + priorWeight)))
    }

    /// Records a verified tree: the calibration expected `expected` accepted tokens (the sum of
    /// its node scores before this factor), and `accepted` were.
    public mutating func record(expected e: Double, accepted a: Int) {
        if e <= 0 {
            accepted *= fade
            expected *= fade
            return
        }
        expected += e
        accepted += Double(a)
    }
}
