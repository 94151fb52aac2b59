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

    /// The curve `retrace calibrate --repeats 15` measured on one of this project's machines
    /// (SmolLM2-135M, 2 AMD EPYC cores with AVX-512, flash attention, llama.cpp patched by
    /// tools/setup, every batch timed after a single token), used until it has measured one on
    /// the machine at hand; the generator corrects it online either way.
    public static let fallback = CostModel(
        contextLengths: [64, 512, 1536, 4096], batchSizes: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48],
        milliseconds: [[2.1, 2.5, 2.7, 3.1, 3.9, 4.8, 7.8, 9.6, 13.6, 17.2, 24.8],
                       [2.8, 3.4, 3.7, 4.1, 5.2, 6.5, 10.2, 12.7, 18.0, 23.0, 33.8],
                       [4.1, 5.1, 5.7, 6.5, 8.6, 10.5, 15.8, 20.0, 28.4, 36.7, 53.7],
                       [8.1, 9.9, 11.4, 13.2, 17.0, 20.7, 30.0, 37.1, 53.5, 69.0, 101.3]])

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
