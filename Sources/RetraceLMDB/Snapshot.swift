internal import CLMDB
package import Foundation

/// A long-lived read transaction. While it is alive, every value read through it stays at the
/// same place in the memory map, which lets an index search data in place for many queries.
/// Release it (let it deinit) to let LMDB reuse pages freed since it began. While a snapshot
/// lives, its environment's map cannot grow (growth would move the map): open environments
/// that hold snapshots with a map size to spare.
public final class Snapshot: @unchecked Sendable {
    private let txn: OpaquePointer
    /// Keeps the environment open while the snapshot lives.
    public let environment: Environment

    init(environment: Environment) throws {
        self.environment = environment
        self.txn = try environment.begin(readOnly: true)
        environment.snapshotStarted()
    }

    deinit {
        mdb_txn_abort(txn)
        environment.snapshotEnded()
    }

    /// Runs `body` with this snapshot's transaction.
    public func read<R>(_ body: (borrowing Transaction) throws -> R) rethrows -> R {
        try body(Transaction(handle: txn, readOnly: true))
    }

    /// The value under `key`, valid for as long as this snapshot lives. Package use only.
    package func pinnedValue(_ db: Database, key: some ContiguousBytes) throws -> UnsafeRawBufferPointer? {
        try Transaction(handle: txn, readOnly: true).rawValue(db, key: key)
    }
}
