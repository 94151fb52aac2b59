import RetraceCore
import Testing

@Suite struct LogitRankingTests {
    /// Indices sorted by value, ties by lower index: what the ranking must agree with.
    func bruteForce(_ values: [Float], _ k: Int) -> [Int] {
        Array(values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k))
    }

    @Test func agreesWithSortingOnRandomRowsWithTies() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let n = Int.random(in: 1...300, using: &rng)
            // Few distinct values, so ties are common, and blocks of sixteen straddle the end.
            let levels = Int.random(in: 1...20, using: &rng)
            let values = (0..<n).map { _ in Float(Int.random(in: 0..<levels, using: &rng)) - 7 }
            let k = Int.random(in: 1...12, using: &rng)
            values.withUnsafeBufferPointer { buffer in
                #expect(LogitRanking.top(k, of: buffer) == bruteForce(values, k), "n \(n) k \(k)")
                #expect(LogitRanking.argmax(buffer) == bruteForce(values, 1)[0])
            }
        }
    }

    @Test func findsTheLargestAtEveryPositionOfALongRow() {
        let n = 49_157   // a vocabulary size that is not a multiple of sixteen
        for position in [0, 15, 16, 8_191, n - 17, n - 1] {
            var values = (0..<n).map { Float(($0 &* 7919) % 1000) / 100 - 5 }
            values[position] = 12
            values.withUnsafeBufferPointer { buffer in
                #expect(LogitRanking.argmax(buffer) == position)
                #expect(LogitRanking.top(8, of: buffer) == bruteForce(values, 8))
            }
        }
    }
}
