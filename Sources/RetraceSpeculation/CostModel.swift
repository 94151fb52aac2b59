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

    /// Cost of a batch of `batch` tokens after `context` tokens, relative to one token there.
    public func relativeCost(batch: Int, context: Int) -> Double {
        guard batch > 1 else { return 1 }
        let row = milliseconds[rowIndex(context)]
        return interpolate(row, batch) / row[0]
    }

    /// Milliseconds of a batch of `batch` tokens after `context` tokens.
    public func milliseconds(batch: Int, context: Int) -> Double {
        interpolate(milliseconds[rowIndex(context)], batch)
    }

    private func rowIndex(_ context: Int) -> Int {
        var best = 0
        for (i, d) in contextLengths.enumerated() where abs(d - context) < abs(contextLengths[best] - context) { best = i }
        return best
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
