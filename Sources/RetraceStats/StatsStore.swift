public import Foundation
import GRDB

/// Retrace's statistics database: SQLite through GRDB, in WAL mode, with migrations.
///
/// ```swift
/// let store = try StatsStore(path: "stats.sqlite")
/// try store.start(SessionRecord(modelFingerprint: fp, index: "indexes/default"))
/// let writer = store.makeWriter()
/// writer.record(step)        // never blocks on I/O
/// writer.close()             // flushes
/// ```
public final class StatsStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens or creates the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        do {
            try Self.refuseForeignDatabase(at: path)
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StatsStoreError(path: path, reason: error.message ?? error.description)
        }
    }

    /// Reads an existing file without writing to it (opening the pool would switch it to WAL):
    /// another program's SQLite database, one with tables but no migrations of ours, is refused.
    private static func refuseForeignDatabase(at path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var readOnly = Configuration()
        readOnly.readonly = true
        let tables = try DatabaseQueue(path: path, configuration: readOnly).read { db -> [String] in
            guard try !db.tableExists("grdb_migrations") else { return [] }
            return try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        }
        guard tables.isEmpty else {
            throw StatsStoreError(path: path, reason: "it is another program's SQLite database (tables \(tables.joined(separator: ", ")))")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions and steps") { db in
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.column("tenant", .text).notNull()
                t.column("modelFingerprint", .text).notNull()
                t.column("indexPath", .text).notNull()
                t.column("configuration", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
            }
            try db.create(table: "step") { t in
                t.column("sessionId", .text).notNull().references("session", onDelete: .cascade)
                t.column("number", .integer).notNull()
                t.column("proposedNodes", .integer).notNull()
                t.column("acceptedTokens", .integer).notNull()
                t.column("draftMicroseconds", .integer).notNull()
                t.column("verifyMicroseconds", .integer).notNull()
                t.primaryKey(["sessionId", "number"])
            }
            try db.create(table: "stepSource") { t in
                t.column("sessionId", .text).notNull()
                t.column("stepNumber", .integer).notNull()
                t.column("source", .text).notNull()
                t.column("acceptedTokens", .integer).notNull()
                t.primaryKey(["sessionId", "stepNumber", "source"])
                t.foreignKey(["sessionId", "stepNumber"], references: "step", onDelete: .cascade)
            }
        }
        migrator.registerMigration("v2: source calibration") { db in
            try db.create(table: "calibration") { t in
                t.column("scope", .text).notNull()
                t.column("source", .text).notNull()
                t.column("matchBucket", .integer).notNull()
                t.column("depthBucket", .integer).notNull()
                t.column("evidence", .integer).notNull()
                t.column("hits", .double).notNull()
                t.column("tries", .double).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["scope", "source", "matchBucket", "depthBucket", "evidence"])
            }
        }
        migrator.registerMigration("v3: agreement calibration") { db in
            try db.create(table: "agreementCalibration") { t in
                t.column("scope", .text).notNull()
                t.column("sources", .text).notNull()
                t.column("estimateBucket", .integer).notNull()
                t.column("depthBucket", .integer).notNull()
                t.column("hits", .double).notNull()
                t.column("tries", .double).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.primaryKey(["scope", "sources", "estimateBucket", "depthBucket"])
            }
        }
        return migrator
    }

    /// Replaces the stored calibration of `scope` (for example a model and index), its sources'
    /// cells and its agreement cells, in one transaction: cells of either kind not passed are
    /// deleted, so `agreement` has no default.
    public func saveCalibration(_ records: [CalibrationRecord], agreement: [AgreementRecord], scope: String,
                                at date: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM calibration WHERE scope = ?", arguments: [scope])
            try db.execute(sql: "DELETE FROM agreementCalibration WHERE scope = ?", arguments: [scope])
            let insert = try db.makeStatement(sql: """
                INSERT INTO calibration (scope, source, matchBucket, depthBucket, evidence, hits, tries, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                try insert.execute(arguments: [scope, r.source, r.matchBucket, r.depthBucket, r.evidence, r.hits, r.tries, date])
            }
            let insertAgreement = try db.makeStatement(sql: """
                INSERT INTO agreementCalibration (scope, sources, estimateBucket, depthBucket, hits, tries, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for r in agreement {
                try insertAgreement.execute(arguments: [scope, r.sources, r.estimateBucket, r.depthBucket, r.hits, r.tries, date])
            }
        }
    }

    /// The stored agreement calibration of `scope`, empty when there is none.
    public func loadAgreementCalibration(scope: String) throws -> [AgreementRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT sources, estimateBucket, depthBucket, hits, tries FROM agreementCalibration
                WHERE scope = ? ORDER BY sources, estimateBucket, depthBucket
                """, arguments: [scope]).map { row in
                try AgreementRecord(sources: row.decode(forColumn: "sources"), estimateBucket: row.decode(forColumn: "estimateBucket"),
                                    depthBucket: row.decode(forColumn: "depthBucket"), hits: row.decode(forColumn: "hits"),
                                    tries: row.decode(forColumn: "tries"))
            }
        }
    }

    /// Scopes with a stored calibration.
    public func calibrationScopes() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT scope FROM calibration ORDER BY scope") }
    }

    /// The stored calibration of `scope`, empty when there is none.
    public func loadCalibration(scope: String) throws -> [CalibrationRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT source, matchBucket, depthBucket, evidence, hits, tries FROM calibration
                WHERE scope = ? ORDER BY source, matchBucket, depthBucket, evidence
                """, arguments: [scope]).map { row in
                // Throwing accessors: a damaged or hand-edited database is an error, not a trap.
                try CalibrationRecord(source: row.decode(forColumn: "source"), matchBucket: row.decode(forColumn: "matchBucket"),
                                      depthBucket: row.decode(forColumn: "depthBucket"), evidence: row.decode(forColumn: "evidence"),
                                      hits: row.decode(forColumn: "hits"), tries: row.decode(forColumn: "tries"))
            }
        }
    }

    /// Records the start of a session.
    public func start(_ session: SessionRecord) throws {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO session (id, tenant, modelFingerprint, indexPath, configuration, startedAt, endedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session.id, session.tenant, session.modelFingerprint, session.index,
                                 session.configuration, session.startedAt, session.endedAt])
        }
    }

    /// Records the end of a session.
    public func end(sessionID: String, at date: Date = Date()) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE session SET endedAt = ? WHERE id = ?", arguments: [date, sessionID])
        }
    }

    /// Writes steps in one transaction.
    public func insert(_ steps: [StepRecord]) throws {
        guard !steps.isEmpty else { return }
        try pool.write { db in
            let step = try db.makeStatement(sql: """
                INSERT INTO step (sessionId, number, proposedNodes, acceptedTokens, draftMicroseconds, verifyMicroseconds)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
            let source = try db.makeStatement(sql: """
                INSERT INTO stepSource (sessionId, stepNumber, source, acceptedTokens) VALUES (?, ?, ?, ?)
                """)
            for s in steps {
                try step.execute(arguments: [s.sessionID, s.number, s.proposedNodes, s.acceptedTokens,
                                             s.draftMicroseconds, s.verifyMicroseconds])
                for (name, count) in s.acceptedBySource.sorted(by: { $0.key < $1.key }) {
                    try source.execute(arguments: [s.sessionID, s.number, name, count])
                }
            }
        }
    }

    /// All sessions, oldest first.
    public func sessions() throws -> [SessionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session ORDER BY startedAt, id").map { row in
                SessionRecord(id: row["id"], tenant: row["tenant"], modelFingerprint: row["modelFingerprint"],
                              index: row["indexPath"], configuration: row["configuration"],
                              startedAt: row["startedAt"], endedAt: row["endedAt"])
            }
        }
    }

    /// Creates a batched writer for steps.
    public func makeWriter(batchSize: Int = 256, flushInterval: Duration = .milliseconds(200)) -> StatsWriter {
        StatsWriter(store: self, batchSize: batchSize, flushInterval: flushInterval)
    }
}
