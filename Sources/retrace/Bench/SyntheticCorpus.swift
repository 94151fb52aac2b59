import Foundation

/// A reproducible pre-tokenized stream for benchmarks: Zipf-distributed token ids with
/// frequent copies of earlier spans (as real text repeats phrases and code repeats lines),
/// written as raw little-endian UInt32 with 0xFFFFFFFF between documents.
struct SyntheticCorpus {
    var tokens: Int
    var vocabularySize = 49_152
    var zipfExponent = 1.1
    var copyProbability = 0.02
    var seed: UInt64 = 42

    /// Writes the stream to `path`; memory stays flat whatever the size.
    func write(to path: String, progress: (Int) -> Void = { _ in }) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let out = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot write \(path)") }
        defer { try? out.close() }
        var rng = SplitMix(state: seed)
        // Zipf CDF over the vocabulary.
        var cdf = [Double](repeating: 0, count: vocabularySize)
        var sum = 0.0
        for r in 0..<vocabularySize {
            sum += 1 / pow(Double(r + 1), zipfExponent)
            cdf[r] = sum
        }
        let historySize = 1 << 20
        var history = [UInt32](repeating: 0, count: historySize)
        var written = 0
        var buffer: [UInt32] = []
        buffer.reserveCapacity(1 << 20)
        var documentLeft = 0
        while written < tokens {
            if documentLeft == 0 {
                if written > 0 { buffer.append(0xFFFF_FFFF) }
                documentLeft = 200 + Int(rng.next() % 1800)
            }
            if written > 64 && rng.unit() < copyProbability {
                let span = 8 + Int(rng.next() % 56)
                let start = written - 1 - Int(rng.next() % UInt64(min(written, historySize) - span))
                for i in 0..<min(span, tokens - written) {
                    let t = history[(start + i) % historySize]
                    history[written % historySize] = t
                    buffer.append(t)
                    written += 1
                }
                documentLeft = max(0, documentLeft - span)
            } else {
                let u = rng.unit() * sum
                var lo = 0, hi = vocabularySize - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
                }
                let t = UInt32(lo)
                history[written % historySize] = t
                buffer.append(t)
                written += 1
                documentLeft -= 1
            }
            if buffer.count >= 1 << 20 {
                try buffer.withUnsafeBytes { try out.write(contentsOf: $0) }
                buffer.removeAll(keepingCapacity: true)
                progress(written)
            }
        }
        try buffer.withUnsafeBytes { try out.write(contentsOf: $0) }
    }
}

/// SplitMix64, for reproducible benchmark data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
