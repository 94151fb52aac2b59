internal import CLMDB

/// An error reported by LMDB, carrying its raw return code and readable message.
///
/// ```swift
/// do { try env.write { txn in try txn.put(db, key: k, value: v) } }
/// catch let error as LMDBError where error.code == LMDBError.mapFull { … }
/// ```
public struct LMDBError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The `mdb_*` return code (an LMDB `MDB_*` constant or an `errno` value).
    public let code: Int32
    /// What Retrace was doing when LMDB failed.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// LMDB's own text for the code.
    public var message: String { String(cString: mdb_strerror(code)) }

    public var description: String { "LMDB \(operation) failed: \(message) (code \(code))" }

    public static let notFound = MDB_NOTFOUND
    public static let keyExists = MDB_KEYEXIST
    public static let mapFull = MDB_MAP_FULL
    public static let mapResized = MDB_MAP_RESIZED
    public static let corrupted = MDB_CORRUPTED
    public static let invalid = MDB_INVALID
    public static let versionMismatch = MDB_VERSION_MISMATCH
    public static let readersFull = MDB_READERS_FULL
}

@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if rc != 0 { throw LMDBError(code: rc, operation: operation()) }
}
