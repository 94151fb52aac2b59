import Foundation
import RetraceCore
public import RetraceLlama
public import RetraceSpeculation

/// Measures what a verification costs on this machine: one `llama_decode` of B tokens after
/// D tokens of context, for the batch sizes a draft tree can have.
public struct CostCalibrator {
    public var contextLengths: [Int]
    public var batchSizes: [Int]
    public var repeats: Int

    public init(contextLengths: [Int] = [64, 512, 1536, 4096], batchSizes: [Int] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48],
                repeats: Int = 5) {
        self.contextLengths = contextLengths
        self.batchSizes = batchSizes
        self.repeats = repeats
    }

    /// Runs the measurements (the fastest of `repeats` interleaved rounds) on `context`, which it clears.
    public func measure(_ context: LlamaContext, progress: (String) -> Void = { _ in }) throws -> CostModel {
        let clock = ContinuousClock()
        var table: [[Double]] = []
        // Filler text tokens: any ids do, the cost does not depend on them.
        let filler = (0..<(contextLengths.max()! + batchSizes.max()!)).map { UInt32(100 + ($0 * 7919) % 20_000) }
        for d in contextLengths {
            context.clear()
            var position = 0
            while position < d {
                let end = min(d, position + context.options.batchCapacity)
                try context.decode((position..<end).map { BatchRow(token: filler[$0], position: $0, sequences: [0], wantsLogits: false) })
                position = end
            }
            // Rounds over all batch sizes, so a burst of load on this shared machine hits one
            // sample of each size rather than every sample of one; the fastest round is the
            // machine's own cost (load only ever adds). The first round warms up. Each timed
            // decode follows an untimed single token, as tree steps mostly follow plain steps:
            // a decode costs more after one of another shape (llama.cpp switches graphs, and
            // a large batch leaves the caches cold), and a single token after a single token
            // is what plain decoding pays.
            var samples = [[Double]](repeating: [], count: batchSizes.count)
            for round in 0..<(repeats + 1) {
                for (j, b) in batchSizes.enumerated() {
                    try context.decode([BatchRow(token: filler[d], position: d, sequences: [0], wantsLogits: true)])
                    context.removeSequence(0, from: d)
                    let rows = (0..<b).map { BatchRow(token: filler[d + $0], position: d + $0, sequences: [0], wantsLogits: true) }
                    let start = clock.now
                    try context.decode(rows)
                    if round > 0 { samples[j].append((clock.now - start).seconds * 1000) }
                    context.removeSequence(0, from: d)
                }
            }
            let row = samples.map { $0.min()! }
            progress("D=\(d): " + zip(batchSizes, row).map { "B\($0)=\(String(format: "%.1f", $1))ms" }.joined(separator: " "))
            table.append(row)
        }
        context.clear()
        return CostModel(contextLengths: contextLengths, batchSizes: batchSizes, milliseconds: table)
    }
}
