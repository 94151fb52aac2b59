internal import CLMDB
import Foundation
import Synchronization

/// An LMDB environment: one directory holding `data.mdb` and `lock.mdb`.
///
/// Readers never block and may live in other processes; there is one writer at a time.
/// Write transactions are synchronous closures: never `await` inside one.
///
/// ```swift
/// let env = try Environment(path: dir, options: .init(maxDatabases: 8))
/// let db = try env.openDatabase("meta", flags: .create)
/// try env.write { txn in try txn.put(db, key: Array("k".utf8), value: Array("v".utf8)) }
/// let v = try env.read { txn in try txn.withValue(db, key: Array("k".utf8)) { Array($0) } }
/// ```
public final class Environment: @unchecked Sendable {
    /// How to open an environment.
    public struct Options: Sendable {
        public var maxDatabases: Int
        /// Initial map size in bytes; grows on `MDB_MAP_FULL`.
        public var mapSize: Int
        public var readOnly: Bool
        public var maxReaders: Int
        /// Skip the fsync at commit (`MDB_NOSYNC`): only for throwaway data.
        public var noSync: Bool

        public init(maxDatabases: Int = 16, mapSize: Int = 1 << 30, readOnly: Bool = false,
                    maxReaders: Int = 126, noSync: Bool = false) {
            self.maxDatabases = maxDatabases
            self.mapSize = mapSize
            self.readOnly = readOnly
            self.maxReaders = maxReaders
            self.noSync = noSync
        }
    }

    let handle: OpaquePointer
    public let path: String
    public let options: Options
    /// Serialises map resizing, and counts live snapshots: while one lives, values it lent
    /// point into the current map, so the map must not move.
    private let resizeLock = Mutex(0)

    /// Opens (creating if needed and not read-only) the environment in directory `path`.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "env_create")
        guard let env else { throw LMDBError(code: EINVAL, operation: "env_create") }
        do {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)), "set_maxdbs")
            try check(mdb_env_set_mapsize(env, options.mapSize), "set_mapsize")
            try check(mdb_env_set_maxreaders(env, UInt32(options.maxReaders)), "set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            try check(mdb_env_open(env, path, flags, 0o644), "open \(path)")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        self.options = options
    }

    deinit { mdb_env_close(handle) }

    /// Opens a named database; with `.create` this needs a writable environment.
    public func openDatabase(_ name: String?, flags: DatabaseFlags = []) throws -> Database {
        // Committed even when read-only: an aborted transaction closes the handles it opened.
        let readOnly = !flags.contains(.create)
        return try withTransaction(readOnly: readOnly, commitReadOnly: true) { (txn: borrowing Transaction) throws in
            var dbi = MDB_dbi()
            try check(mdb_dbi_open(txn.handle, name, flags.rawValue, &dbi), "open database \(name ?? "main")")
            return Database(dbi: dbi, name: name)
        }
    }

    /// Runs `body` in a read-only transaction. Values it reads are valid only inside `body`.
    public func read<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        try withTransaction(readOnly: true, body)
    }

    /// Runs `body` in a write transaction and commits it when `body` returns.
    ///
    /// A throw aborts the transaction. When the map is full the transaction is aborted, the
    /// map doubled and `body` run again, so `body` must be safe to repeat.
    public func write<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        while true {
            do {
                return try withTransaction(readOnly: false, body)
            } catch let error as LMDBError where error.code == LMDBError.mapFull {
                try grow()
            }
        }
    }

    /// Starts a read transaction that stays open until the snapshot is released, so that the
    /// data it sees stays in place in the memory map.
    public func snapshot() throws -> Snapshot {
        try Snapshot(environment: self)
    }

    /// The current size of the memory map in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// The highest page number in use and the page size, to check the file is whole.
    public var usedBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Sets the map size to at least `bytes` (no transaction of this process may be open).
    public func ensureMapSize(_ bytes: Int) throws(LMDBError) {
        try resizeLock.withLock { snapshots throws(LMDBError) in
            guard mapSize < bytes else { return }
            guard snapshots == 0 else { throw LMDBError(code: MDB_MAP_FULL, operation: "resize the map while a snapshot pins it") }
            try check(mdb_env_set_mapsize(handle, bytes), "set_mapsize")
        }
    }

    /// Flushes buffers to disk (`mdb_env_sync` forced).
    public func sync() throws(LMDBError) { try check(mdb_env_sync(handle, 1), "sync") }

    func grow() throws(LMDBError) {
        try resizeLock.withLock { snapshots throws(LMDBError) in
            // Remapping would leave a live snapshot's borrowed pointers dangling: refuse.
            guard snapshots == 0 else { throw LMDBError(code: MDB_MAP_FULL, operation: "grow the map while a snapshot pins it") }
            try check(mdb_env_set_mapsize(handle, mapSize * 2), "grow map")
        }
    }

    func snapshotStarted() { resizeLock.withLock { $0 += 1 } }
    func snapshotEnded() { resizeLock.withLock { $0 -= 1 } }

    func begin(readOnly: Bool) throws(LMDBError) -> OpaquePointer {
        var txn: OpaquePointer?
        var rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size (unless a snapshot pins the map) and try again.
            try resizeLock.withLock { snapshots throws(LMDBError) in
                guard snapshots == 0 else { throw LMDBError(code: MDB_MAP_RESIZED, operation: "adopt a grown map while a snapshot pins it") }
                try check(mdb_env_set_mapsize(handle, 0), "adopt map size")
            }
            rc = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        try check(rc, readOnly ? "begin read transaction" : "begin write transaction")
        return txn!
    }

    private func withTransaction<R, E: Error>(readOnly: Bool, commitReadOnly: Bool = false,
                                              _ body: (borrowing Transaction) throws(E) -> R) throws -> R {
        let txn = Transaction(handle: try begin(readOnly: readOnly), readOnly: readOnly)
        do {
            let result = try body(txn)
            if readOnly && !commitReadOnly {
                mdb_txn_abort(txn.handle)
            } else {
                try check(mdb_txn_commit(txn.handle), "commit")
            }
            return result
        } catch {
            mdb_txn_abort(txn.handle)
            throw error
        }
    }
}
