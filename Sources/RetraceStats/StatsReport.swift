import GRDB

/// Summary of recorded sessions: mean accepted tokens per step (MAT), acceptance by source
/// and latency percentiles.
public struct StatsReport: Codable, Sendable, Equatable {
    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Int
        public var p90: Int
        public var p99: Int
        public var max: Int

        init(_ values: [Int]) {
            let sorted = values.sorted()
            /// Nearest-rank percentile.
            func at(_ q: Double) -> Int {
                guard !sorted.isEmpty else { return 0 }
                let rank = Int((q * Double(sorted.count)).rounded(.up))
                return sorted[Swift.min(sorted.count - 1, Swift.max(0, rank - 1))]
            }
            p50 = at(0.5)
            p90 = at(0.9)
            p99 = at(0.99)
            max = sorted.last ?? 0
        }
    }

    public struct SourceShare: Codable, Sendable, Equatable {
        public var source: String
        public var acceptedTokens: Int
        /// Share of all emitted tokens this source supplied.
        public var share: Double
    }

    public var sessions: Int
    public var steps: Int
    public var emittedTokens: Int
    public var proposedNodes: Int
    /// Mean tokens emitted per verification step (plain decoding = 1).
    public var meanAcceptedTokens: Double
    public var bySource: [SourceShare]
    public var draftMicroseconds: Percentiles
    public var verifyMicroseconds: Percentiles
}

extension StatsStore {
    /// A report over every session, or over `sessionID` alone.
    public func report(sessionID: String? = nil) throws -> StatsReport {
        try pool.read { db in
            let filter = sessionID == nil ? "" : " WHERE sessionId = ?"
            let arguments: StatementArguments = sessionID.map { [$0] } ?? []
            let sessions = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session" + (sessionID == nil ? "" : " WHERE id = ?"),
                                            arguments: arguments) ?? 0
            let rows = try Row.fetchAll(db, sql: """
                SELECT acceptedTokens, proposedNodes, draftMicroseconds, verifyMicroseconds FROM step
                """ + filter, arguments: arguments)
            let emitted = rows.reduce(0) { $0 + ($1["acceptedTokens"] as Int) }
            let sources = try Row.fetchAll(db, sql: """
                SELECT source, SUM(acceptedTokens) AS total FROM stepSource\(filter) GROUP BY source ORDER BY total DESC, source
                """, arguments: arguments)
            return StatsReport(
                sessions: sessions,
                steps: rows.count,
                emittedTokens: emitted,
                proposedNodes: rows.reduce(0) { $0 + ($1["proposedNodes"] as Int) },
                meanAcceptedTokens: rows.isEmpty ? 0 : Double(emitted) / Double(rows.count),
                bySource: sources.map { row in
                    let total: Int = row["total"]
                    return StatsReport.SourceShare(source: row["source"], acceptedTokens: total,
                                       share: emitted == 0 ? 0 : Double(total) / Double(emitted))
                },
                draftMicroseconds: StatsReport.Percentiles(rows.map { $0["draftMicroseconds"] }),
                verifyMicroseconds: StatsReport.Percentiles(rows.map { $0["verifyMicroseconds"] }))
        }
    }
}
