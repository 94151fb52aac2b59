internal import CLMDB
public import Foundation

/// A cursor over one database, lent by ``Transaction/withCursor(_:_:)``. Entries it returns
/// are borrowed from the transaction and valid only while it is open.
public struct Cursor: ~Copyable {
    let handle: OpaquePointer

    /// One key and value, borrowed from the transaction.
    public struct Entry {
        public let key: UnsafeRawBufferPointer
        public let value: UnsafeRawBufferPointer
    }

    /// Positioning operations.
    public enum Move: Sendable {
        case first, last, next, previous
        /// Next or previous value of the current key (`duplicateSort`).
        case nextDuplicate, previousDuplicate
        /// Last or first value of the current key (`duplicateSort`).
        case lastDuplicate, firstDuplicate
        /// Next key (skipping duplicates).
        case nextKey

        var op: MDB_cursor_op {
            switch self {
            case .first: MDB_FIRST
            case .last: MDB_LAST
            case .next: MDB_NEXT
            case .previous: MDB_PREV
            case .nextDuplicate: MDB_NEXT_DUP
            case .previousDuplicate: MDB_PREV_DUP
            case .lastDuplicate: MDB_LAST_DUP
            case .firstDuplicate: MDB_FIRST_DUP
            case .nextKey: MDB_NEXT_NODUP
            }
        }
    }

    /// Moves the cursor; `nil` when there is no such entry.
    public borrowing func move(_ move: Move) throws -> Entry? {
        var key = MDB_val()
        var value = MDB_val()
        return try get(&key, &value, move.op)
    }

    /// Positions at `key` exactly (`MDB_SET_KEY`); `nil` when absent.
    public borrowing func seek(exactly key: some ContiguousBytes) throws -> Entry? {
        try seek(key, op: MDB_SET_KEY)
    }

    /// Positions at the first key ≥ `key` (`MDB_SET_RANGE`); `nil` past the end.
    public borrowing func seek(atLeast key: some ContiguousBytes) throws -> Entry? {
        try seek(key, op: MDB_SET_RANGE)
    }

    /// Number of values under the current key (`duplicateSort`).
    public borrowing func duplicateCount() throws -> Int {
        var count = 0
        try check(mdb_cursor_count(handle, &count), "cursor count")
        return count
    }

    private borrowing func seek(_ key: some ContiguousBytes, op: MDB_cursor_op) throws -> Entry? {
        try key.withUnsafeBytes { (k: UnsafeRawBufferPointer) throws -> Entry? in
            var keyVal = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var value = MDB_val()
            return try get(&keyVal, &value, op)
        }
    }

    private borrowing func get(_ key: inout MDB_val, _ value: inout MDB_val, _ op: MDB_cursor_op) throws -> Entry? {
        let rc = mdb_cursor_get(handle, &key, &value, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "cursor get")
        return Entry(key: UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size),
                     value: UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}
