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

    /// The curve `retrace calibrate` measured on this project's machines (SmolLM2-135M, 2 cores
    /// with AVX-512, flash attention, llama.cpp patched by tools/setup), used until it has
    /// measured one on the machine at hand; the generator corrects it online either way.
    public static let fallback = CostModel(
        contextLengths: [64, 512, 1536, 4096], batchSizes: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48],
        milliseconds: [[4.5, 4.9, 5.6, 6.2, 8.8, 11.9, 14.0, 19.0, 28.4, 35.7, 51.9],
                       [5.2, 6.3, 7.0, 8.3, 10.5, 14.0, 20.3, 25.6, 37.0, 48.0, 68.3],
                       [8.0, 9.4, 11.1, 12.9, 16.2, 20.8, 32.3, 37.1, 53.7, 69.2, 98.3],
                       [17.2, 19.1, 21.4, 25.8, 34.6, 48.9, 61.1, 67.7, 107.1, 147.0, 193.9]])

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
