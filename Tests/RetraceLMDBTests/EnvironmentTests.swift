import Foundation
import Testing
import RetraceTestSupport
@testable import RetraceLMDB

@Suite struct EnvironmentTests {
    @Test func putGetCursorAndDelete() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("things", flags: .create)
        try env.write { txn in
            for i in 0..<100 { try txn.put(db, key: Array(String(format: "k%03d", i).utf8), value: Array("v\(i)".utf8)) }
        }
        let value = try env.read { txn in try txn.withValue(db, key: Array("k042".utf8)) { String(decoding: $0, as: UTF8.self) } }
        #expect(value == "v42")
        let missing = try env.read { txn in try txn.withValue(db, key: Array("nope".utf8)) { _ in 1 } }
        #expect(missing == nil)
        let keys = try env.read { txn in
            try txn.withCursor(db) { cursor in
                var out: [String] = []
                var entry = try cursor.seek(atLeast: Array("k095".utf8))
                while let e = entry {
                    out.append(String(decoding: e.key, as: UTF8.self))
                    entry = try cursor.move(.next)
                }
                return out
            }
        }
        #expect(keys == ["k095", "k096", "k097", "k098", "k099"])
        let deleted = try env.write { txn in try txn.delete(db, key: Array("k000".utf8)) }
        #expect(deleted)
        #expect(try env.read { txn in try txn.count(db) } == 99)
    }

    @Test func abortedWriteLeavesNoTrace() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("t", flags: .create)
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try env.write { txn in
                try txn.put(db, key: [1], value: [2])
                throw Stop()
            }
        }
        #expect(try env.read { txn in try txn.count(db) } == 0)
    }

    @Test func mapGrowsWhenFull() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path, options: .init(mapSize: 1 << 20))
        let db = try env.openDatabase("big", flags: .create)
        let blob = [UInt8](repeating: 7, count: 1 << 20)
        for i in 0..<8 { try env.write { txn in try txn.put(db, key: [UInt8(i)], value: blob) } }
        #expect(env.mapSize >= 8 << 20)
        #expect(try env.read { txn in try txn.count(db) } == 8)
    }

    @Test func mapDoesNotMoveUnderALiveSnapshot() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path, options: .init(mapSize: 1 << 20))
        let db = try env.openDatabase("big", flags: .create)
        try env.write { txn in try txn.put(db, key: [0], value: [UInt8](repeating: 1, count: 1000)) }
        let snapshot = try env.snapshot()
        let pinned = try #require(try snapshot.pinnedValue(db, key: [UInt8(0)]))
        let blob = [UInt8](repeating: 7, count: 1 << 19)
        #expect(throws: LMDBError.self) {
            for i in 1..<8 { try env.write { txn in try txn.put(db, key: [UInt8(i)], value: blob) } }
        }
        #expect(pinned.allSatisfy { $0 == 1 })  // still readable: the map did not move
        _ = consume snapshot
        try env.write { txn in try txn.put(db, key: [9], value: blob + blob) }
        #expect(env.mapSize > 1 << 20)
    }

    @Test func duplicateSortedValues() throws {
        let dir = TemporaryDirectory()
        let env = try Environment(path: dir.path)
        let db = try env.openDatabase("dups", flags: [.create, .duplicateSort, .duplicateFixed])
        try env.write { txn in
            for v in [UInt8(3), 1, 2] { try txn.put(db, key: [9], value: [0, 0, 0, v]) }
        }
        let values = try env.read { txn in
            try txn.withCursor(db) { cursor -> [UInt8] in
                _ = try cursor.seek(exactly: [UInt8(9)])
                #expect(try cursor.duplicateCount() == 3)
                var out: [UInt8] = []
                var e = try cursor.move(.lastDuplicate)
                while let entry = e {
                    out.append(entry.value[3])
                    e = try cursor.move(.previousDuplicate)
                }
                return out
            }
        }
        #expect(values == [3, 2, 1])
    }

    @Test func errorsCarryCodeAndMessage() throws {
        let dir = TemporaryDirectory()
        let file = dir.file("not-an-env")
        try Data(repeating: 0xAB, count: 16_384).write(to: URL(fileURLWithPath: file))
        do {
            _ = try Environment(path: dir.path)
            // A directory with stray files is still a fine environment; open a garbage data file instead.
            let bad = dir.file("bad")
            try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
            try Data(repeating: 0xAB, count: 16_384).write(to: URL(fileURLWithPath: bad + "/data.mdb"))
            _ = try Environment(path: bad)
            Issue.record("opening garbage succeeded")
        } catch let error as LMDBError {
            #expect(error.code == LMDBError.invalid)
            #expect(error.description.contains("LMDB"))
            #expect(!error.message.isEmpty)
        }
    }
}
