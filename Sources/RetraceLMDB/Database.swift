internal import CLMDB

/// A named database inside an ``Environment`` (an `MDB_dbi`). Handles are plain values,
/// valid for the lifetime of the environment that opened them.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
    /// The name the database was opened with, or `nil` for the main database.
    public let name: String?
}

/// Flags for ``Environment/openDatabase(_:flags:)``.
public struct DatabaseFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Keys compare as native-endian unsigned integers (`MDB_INTEGERKEY`).
    public static let integerKeys = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
    /// Several sorted values per key (`MDB_DUPSORT`).
    public static let duplicateSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With ``duplicateSort``: all values of a key have the same size (`MDB_DUPFIXED`).
    public static let duplicateFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
    /// Create the database if it is missing (`MDB_CREATE`).
    public static let create = DatabaseFlags(rawValue: UInt32(MDB_CREATE))
}
