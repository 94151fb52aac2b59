/// The verification cost the sizer plans with: the calibrated curve (``CostModel``), corrected
/// by the decode times this process actually observes, per batch size. The calibration runs
/// one sequence on a quiet machine; real steps carry tree masks and several sequences, and the
/// machine's load changes, so each batch size keeps a running ratio of observed to calibrated
/// time, shrunk towards 1 while it has few observations. Pure.
public struct ObservedCost: Sendable {
    public var calibrated: CostModel
    /// Weight of each new observation in the running ratios.
    public var smoothing = 0.05
    /// Observations a ratio needs before it counts fully.
    public var trustAfter = 8.0
    private var ratios: [Int: (ratio: Double, weight: Double)] = [:]

    public init(calibrated: CostModel) { self.calibrated = calibrated }

    /// Batch sizes share a correction in buckets: 1, 2, 3, 4, then up to 6, 8, 12, 16, 24, 32, 48, beyond.
    private static let bucketBounds = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48]
    private static func bucket(_ batch: Int) -> Int { bucketBounds.firstIndex { batch <= $0 } ?? bucketBounds.count }

    /// Records that a decode of `batch` tokens after `context` tokens took `milliseconds`.
    public mutating func record(batch: Int, context: Int, milliseconds: Double) {
        guard batch > 0, milliseconds.isFinite, milliseconds > 0 else { return }
        let observed = milliseconds / calibrated.milliseconds(batch: batch, context: context)
        let key = Self.bucket(batch)
        var entry = ratios[key] ?? (observed, 0)
        let alpha = max(smoothing, 1 / (entry.weight + 1))
        entry.ratio += alpha * (observed - entry.ratio)
        entry.weight += 1
        ratios[key] = entry
    }

    /// The correction for a batch size: its running ratio, shrunk towards 1 while young.
    public func correction(batch: Int) -> Double {
        guard let entry = ratios[Self.bucket(batch)] else { return 1 }
        let trust = min(1, entry.weight / trustAfter)
        return 1 + trust * (entry.ratio - 1)
    }

    /// Cost of a batch of `batch` tokens after `context` tokens, relative to one token there.
    public func relativeCost(batch: Int, context: Int) -> Double {
        guard batch > 1 else { return 1 }
        return calibrated.relativeCost(batch: batch, context: context) * correction(batch: batch) / correction(batch: 1)
    }
}
