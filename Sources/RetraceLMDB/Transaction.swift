internal import CLMDB
public import Foundation

/// An LMDB transaction, lent to a closure by ``Environment/read(_:)`` or
/// ``Environment/write(_:)``. It is non-copyable, so it cannot outlive that closure, and the
/// buffers it lends cannot outlive it.
public struct Transaction: ~Copyable {
    let handle: OpaquePointer
    /// Whether the transaction is read-only.
    public let readOnly: Bool

    init(handle: OpaquePointer, readOnly: Bool) {
        self.handle = handle
        self.readOnly = readOnly
    }

    /// Lends the value stored under `key` without copying it, or returns `nil` when absent.
    public borrowing func withValue<R>(_ db: Database, key: some ContiguousBytes,
                                       _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let value = try rawValue(db, key: key) else { return nil }
        return try body(value)
    }

    /// The value under `key`, valid until the transaction ends. Package use only: callers must
    /// keep the transaction (or the ``Snapshot`` that owns it) alive while they read it.
    package borrowing func rawValue(_ db: Database, key: some ContiguousBytes) throws -> UnsafeRawBufferPointer? {
        try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var data = MDB_val()
            let rc = mdb_get(handle, db.dbi, &keyVal, &data)
            if rc == MDB_NOTFOUND { return nil }
            try check(rc, "get from \(db.name ?? "main")")
            return UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)
        }
    }

    /// Stores `value` under `key`, replacing what was there (or adding a duplicate in a
    /// `duplicateSort` database).
    public borrowing func put(_ db: Database, key: some ContiguousBytes, value: some ContiguousBytes,
                              noOverwrite: Bool = false) throws {
        precondition(!readOnly, "put in a read-only transaction")
        try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws in
            try value.withUnsafeBytes { (v: UnsafeRawBufferPointer) throws in
                var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var data = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                try check(mdb_put(handle, db.dbi, &keyVal, &data, noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0),
                          "put into \(db.name ?? "main")")
            }
        }
    }

    /// Reserves `count` bytes under `key` and lets `fill` write them in place, without an
    /// intermediate copy. `fill` must not touch the database.
    public borrowing func putReserving<R>(_ db: Database, key: some ContiguousBytes, count: Int,
                                          _ fill: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        precondition(!readOnly, "put in a read-only transaction")
        let buffer = try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> UnsafeMutableRawBufferPointer in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var data = MDB_val(mv_size: count, mv_data: nil)
            try check(mdb_put(handle, db.dbi, &keyVal, &data, UInt32(MDB_RESERVE)), "reserve in \(db.name ?? "main")")
            return UnsafeMutableRawBufferPointer(start: data.mv_data, count: count)
        }
        return try fill(buffer)
    }

    /// Deletes `key` (all its values in a `duplicateSort` database). Returns whether it existed.
    @discardableResult
    public borrowing func delete(_ db: Database, key: some ContiguousBytes) throws -> Bool {
        precondition(!readOnly, "delete in a read-only transaction")
        return try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> Bool in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            let rc = mdb_del(handle, db.dbi, &keyVal, nil)
            if rc == MDB_NOTFOUND { return false }
            try check(rc, "delete from \(db.name ?? "main")")
            return true
        }
    }

    /// Removes every entry of `db`, keeping the database.
    public borrowing func clear(_ db: Database) throws {
        precondition(!readOnly, "clear in a read-only transaction")
        try check(mdb_drop(handle, db.dbi, 0), "clear \(db.name ?? "main")")
    }

    /// Number of entries in `db`.
    public borrowing func count(_ db: Database) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(handle, db.dbi, &stat), "stat \(db.name ?? "main")")
        return stat.ms_entries
    }

    /// Lends a cursor over `db` to `body`.
    public borrowing func withCursor<R>(_ db: Database, _ body: (borrowing Cursor) throws -> R) throws -> R {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, db.dbi, &cursor), "open cursor on \(db.name ?? "main")")
        defer { mdb_cursor_close(cursor) }
        return try body(Cursor(handle: cursor!))
    }
}
