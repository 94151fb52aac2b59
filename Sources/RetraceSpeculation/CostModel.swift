/// What one verification costs on this machine: the time of a `llama_decode` of B tokens
/// after D tokens of context, relative to B = 1 at the same D. Measured by `retrace calibrate`.
public struct CostModel: Codable, Sendable, Equatable {
    /// Context lengths measured, ascending.
    public var contextLengths: [Int]
    /// Batch sizes measured, ascending, starting at 1.
    public var batchSizes: [Int]
    /// `milliseconds[i][j]`: decode of `batchSizes[j]` tokens after `contextLengths[i]`.
    public var milliseconds: [[Double]]

    public init(contextLengths: [Int], batchSizes: [Int], milliseconds: [[Double]]) {
        self.contextLengths = contextLengths
        self.batchSizes = batchSizes
        self.milliseconds = milliseconds
    }

    /// This machine's curve from ../shared/DESIGN.md (SmolLM2-135M, 2 cores, D = 512, flash
    /// attention), used until `retrace calibrate` has measured one.
    public static let fallback = CostModel(
        contextLengths: [512], batchSizes: [1, 2, 4, 8, 16, 32, 64],
        milliseconds: [[18.6, 24.2, 46.5, 76.3, 154, 316, 279]])

    /// Cost of a batch of `batch` tokens after `context` tokens, relative to one token there
    /// (interpolated linearly between the measured context lengths).
    public func relativeCost(batch: Int, context: Int) -> Double {
        guard batch > 1 else { return 1 }
        return blend(context) { row in interpolate(row, batch) / row[0] }
    }

    /// Milliseconds of a batch of `batch` tokens after `context` tokens.
    public func milliseconds(batch: Int, context: Int) -> Double {
        blend(context) { row in interpolate(row, batch) }
    }

    /// `value` of the measured rows around `context`, interpolated linearly in context length
    /// (the nearest row outside the measured range).
    private func blend(_ context: Int, _ value: ([Double]) -> Double) -> Double {
        guard let upper = contextLengths.firstIndex(where: { $0 >= context }) else {
            return value(milliseconds[contextLengths.count - 1])
        }
        guard upper > 0, contextLengths[upper] > contextLengths[upper - 1] else { return value(milliseconds[upper]) }
        let (d0, d1) = (Double(contextLengths[upper - 1]), Double(contextLengths[upper]))
        let t = (Double(context) - d0) / (d1 - d0)
        return value(milliseconds[upper - 1]) * (1 - t) + value(milliseconds[upper]) * t
    }

    private func interpolate(_ row: [Double], _ batch: Int) -> Double {
        if batch <= batchSizes[0] { return row[0] }
        for j in 1..<batchSizes.count where batch <= batchSizes[j] {
            let (b0, b1) = (Double(batchSizes[j - 1]), Double(batchSizes[j]))
            let t = (Double(batch) - b0) / (b1 - b0)
            return row[j - 1] + t * (row[j] - row[j - 1])
        }
        return row[row.count - 1] * Double(batch) / Double(batchSizes[batchSizes.count - 1])
    }
}
