import Foundation
import GRDB
import Testing
import RetraceTestSupport
@testable import RetraceStats

@Suite struct StatsStoreTests {
    @Test func writerBatchesStepsAndReportSummarises() throws {
        let dir = TemporaryDirectory()
        let store = try StatsStore(path: dir.file("stats.sqlite"))
        let session = SessionRecord(modelFingerprint: "fp", index: "indexes/x", configuration: #"{"budget":8}"#)
        try store.start(session)
        let writer = store.makeWriter(batchSize: 50)
        for i in 0..<1000 {
            // Steps emit 1...4 tokens; draft time i µs, verify 1000 + i µs.
            let accepted = i % 4 + 1
            writer.record(StepRecord(sessionID: session.id, number: i, proposedNodes: 8, acceptedTokens: accepted,
                                     acceptedBySource: accepted > 1 ? ["index": accepted - 1] : [:],
                                     draftMicroseconds: i, verifyMicroseconds: 1000 + i))
        }
        #expect(writer.close().isEmpty)
        #expect(writer.droppedSteps == 0)
        try store.end(sessionID: session.id)

        let report = try store.report()
        #expect(report.sessions == 1 && report.steps == 1000)
        #expect(report.emittedTokens == 2500)
        #expect(abs(report.meanAcceptedTokens - 2.5) < 1e-9)
        #expect(report.bySource == [StatsReport.SourceShare(source: "index", acceptedTokens: 1500, share: 0.6)])
        #expect(report.draftMicroseconds.p50 == 499 && report.draftMicroseconds.p99 == 989 && report.draftMicroseconds.max == 999)
        #expect(report.verifyMicroseconds.p90 == 1899)
        let sessions = try store.sessions()
        #expect(sessions.count == 1 && sessions[0].endedAt != nil && sessions[0].configuration == #"{"budget":8}"#)
        #expect(try store.report(sessionID: "other").steps == 0)
    }

    @Test func usesWALAndMigratesOnce() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("s.sqlite")
        _ = try StatsStore(path: path)
        let again = try StatsStore(path: path)
        let mode = try again.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let applied = try again.pool.read { db in try StatsStore.migrator.appliedMigrations(db) }
        #expect(applied == ["v1: sessions and steps", "v2: source calibration", "v3: agreement calibration"])
    }

    /// Another program's SQLite file is refused and left byte for byte as it was; a file that
    /// is not SQLite at all gets the same error.
    @Test func refusesDatabasesThatAreNotItsOwn() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("other.sqlite")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')")
        }
        let before = FileManager.default.contents(atPath: path)
        #expect {
            _ = try StatsStore(path: path)
        } throws: { error in
            (error as? StatsStoreError)?.reason.contains("another program's SQLite database (tables notes)") == true
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "SELECT text FROM notes") } == "keep me")
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: dir.file("junk.sqlite")))
        #expect(throws: StatsStoreError.self) { try StatsStore(path: dir.file("junk.sqlite")) }
        // An empty file is a new database.
        _ = FileManager.default.createFile(atPath: dir.file("empty.sqlite"), contents: nil)
        #expect(try StatsStore(path: dir.file("empty.sqlite")).sessions().isEmpty)
    }

    @Test func recordNeverWaitsForTheDatabase() throws {
        let dir = TemporaryDirectory()
        let store = try StatsStore(path: dir.file("s.sqlite"))
        try store.start(SessionRecord(id: "s", modelFingerprint: "f", index: "i"))
        // Hold the database's write lock from another connection while steps are recorded.
        let blocker = try DatabaseQueue(path: dir.file("s.sqlite"))
        let writer = store.makeWriter(batchSize: 10, flushInterval: .milliseconds(10))
        try blocker.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let start = ContinuousClock.now
            for i in 0..<500 {
                writer.record(StepRecord(sessionID: "s", number: i, proposedNodes: 1, acceptedTokens: 1,
                                         draftMicroseconds: 1, verifyMicroseconds: 1))
            }
            // 500 records under a held lock finish long before the 5 s busy timeout would.
            #expect(ContinuousClock.now - start < .seconds(2))
            try db.execute(sql: "COMMIT")
        }
        writer.close()
        #expect(try store.report().steps == 500)
    }

    @Test func calibrationRoundTripsPerScope() throws {
        let dir = TemporaryDirectory()
        let store = try StatsStore(path: dir.file("s.sqlite"))
        let a = [CalibrationRecord(source: "context", matchBucket: 1, depthBucket: 0, evidence: 2, hits: 3.5, tries: 7.25),
                 CalibrationRecord(source: "index", matchBucket: 4, depthBucket: 2, evidence: 0, hits: 0, tries: 1)]
        try store.saveCalibration(a, agreement: [], scope: "m1 idx")
        try store.saveCalibration([a[0]], agreement: [], scope: "m2 idx")
        #expect(try store.loadCalibration(scope: "m1 idx") == a)
        try store.saveCalibration([a[1]], agreement: [], scope: "m1 idx")  // replaces, does not merge
        #expect(try store.loadCalibration(scope: "m1 idx") == [a[1]])
        #expect(try store.loadCalibration(scope: "m2 idx") == [a[0]])
        #expect(try store.calibrationScopes() == ["m1 idx", "m2 idx"])
        #expect(try store.loadCalibration(scope: "none").isEmpty)
        // A hand-edited row that is not a number is an error, not a crash.
        try store.pool.write { db in
            try db.execute(sql: "UPDATE calibration SET hits = 'lots' WHERE scope = 'm2 idx'")
        }
        #expect(throws: (any Error).self) { try store.loadCalibration(scope: "m2 idx") }
    }

    @Test func agreementCalibrationRoundTripsWithTheSourcesCells() throws {
        let dir = TemporaryDirectory()
        let store = try StatsStore(path: dir.file("s.sqlite"))
        let cells = [CalibrationRecord(source: "trie", matchBucket: 2, depthBucket: 1, evidence: 0, hits: 1, tries: 2)]
        let agreement = [AgreementRecord(sources: "context+trie", estimateBucket: 5, depthBucket: 0, hits: 2.5, tries: 4),
                         AgreementRecord(sources: "index", estimateBucket: 9, depthBucket: 2, hits: 0, tries: 1)]
        try store.saveCalibration(cells, agreement: agreement, scope: "m idx")
        #expect(try store.loadCalibration(scope: "m idx") == cells)
        #expect(try store.loadAgreementCalibration(scope: "m idx") == agreement)
        // Saving the scope again replaces both kinds of cells.
        try store.saveCalibration(cells, agreement: [], scope: "m idx")
        #expect(try store.loadAgreementCalibration(scope: "m idx").isEmpty)
        #expect(try store.loadAgreementCalibration(scope: "other").isEmpty)
        try store.saveCalibration(cells, agreement: agreement, scope: "m idx")
        try store.pool.write { db in try db.execute(sql: "UPDATE agreementCalibration SET tries = 'many'") }
        #expect(throws: (any Error).self) { try store.loadAgreementCalibration(scope: "m idx") }
    }
}
