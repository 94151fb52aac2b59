import Foundation
public import RetraceCore
import RetraceLMDB

/// A persistent Retrace index: a static token store with its suffix array, searched in place
/// in the memory map, and a dynamic store of past generations appended online.
///
/// Safe to share between threads; readers in other processes may use the same directory
/// while one process appends.
///
/// ```swift
/// let index = try TokenIndex(path: "indexes/default")
/// try index.requireTokenizer(tokenizer.identity)
/// let result = try index.query(context: tokens, options: QueryOptions(top: 4))
/// try index.append(documents: [generatedTokens])
/// ```
public final class TokenIndex: Sendable {
    public let path: String
    public let metadata: IndexMetadata
    let environment: Environment
    let dynamic: DynamicStore
    let staticDatabase: Database
    /// The static arrays, pinned in the memory map for the life of the index object.
    let pinned: PinnedStaticArrays
    var search: SuffixArraySearch { pinned.search }

    /// Distinct pairs of leading symbols in the static store's pair table, or nil for an index
    /// built before pair tables (searched without one: correct, slower on large indexes).
    public var symbolPairCount: Int? { search.pairs.isEmpty ? nil : search.pairs.count }

    /// Maps every page of the static arrays in now (reading the file where it is not cached),
    /// as a long-running service has them after a while: later queries then take no page
    /// faults. Returns the bytes covered. For services and latency benchmarks; queries work
    /// without it.
    @discardableResult
    public func prefault() -> Int { pinned.prefault() }

    /// Opens the index in directory `path`, checking that it is whole and complete. With
    /// `resident`, the suffix array and the tokens it sorts (8 bytes per token) are copied
    /// into memory backed by huge pages, so random reads rarely miss the TLB: lower and
    /// steadier query latency for long-running processes, at the cost of that memory and of
    /// the copy at open.
    public init(path: String, resident: Bool = false) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IndexError.notFound(path: path)
        }
        guard isDirectory.boolValue else { throw IndexError.notAnIndex(path: path, reason: "it is a file, not a directory") }
        let dataFile = path + "/data.mdb"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: dataFile),
              let fileSize = (attributes[.size] as? NSNumber)?.intValue else {
            throw IndexError.notAnIndex(path: path, reason: "it has no data.mdb")
        }
        let env: Environment
        do {
            env = try Environment(path: path, options: .init(maxDatabases: 8, mapSize: IndexFormat.mapSize))
        } catch {
            throw error.code == LMDBError.invalid || error.code == LMDBError.versionMismatch
                ? IndexError.corrupt(path: path, reason: "data.mdb is not a valid LMDB file (\(error.message))")
                : IndexError.storage(error)
        }
        // A truncated file would fault on first touch of a missing page: refuse it before any read.
        guard fileSize >= env.usedBytes else {
            throw IndexError.corrupt(path: path, reason: "data.mdb is truncated (\(fileSize) bytes, needs \(env.usedBytes))")
        }
        self.environment = env
        let snapshot: Snapshot
        do {
            let meta = try env.openDatabase(IndexFormat.metaDatabase)
            staticDatabase = try env.openDatabase(IndexFormat.staticDatabase)
            dynamic = DynamicStore(documents: try env.openDatabase(IndexFormat.dynamicDocumentsDatabase),
                                   postings: try env.openDatabase(IndexFormat.dynamicPostingsDatabase),
                                   meta: meta)
            snapshot = try env.snapshot()
            guard let metadata = try snapshot.read({ txn in
                try txn.withValue(meta, key: Array(IndexFormat.metadataKey.utf8)) {
                    try StoredJSON.decode(IndexMetadata.self, from: $0)
                }
            }) else { throw IndexError.notAnIndex(path: path, reason: "it has no metadata") }
            self.metadata = metadata
        } catch let error as LMDBError where error.code == LMDBError.notFound {
            throw IndexError.notAnIndex(path: path, reason: "it lacks Retrace's databases")
        } catch let error as LMDBError {
            throw IndexError.corrupt(path: path, reason: error.description)
        } catch let error as DecodingError {
            throw IndexError.corrupt(path: path, reason: "unreadable metadata (\(error))")
        }
        guard metadata.formatVersion == IndexFormat.version else {
            throw IndexError.unsupportedFormat(path: path, found: metadata.formatVersion, supported: IndexFormat.version)
        }
        guard metadata.state == .complete else { throw IndexError.incomplete(path: path) }
        pinned = try PinnedStaticArrays(snapshot: snapshot, database: staticDatabase, metadata: metadata, path: path,
                                        resident: resident)
    }

    /// Throws ``IndexError/tokenizerMismatch(index:given:)`` unless `identity` made this index's ids.
    public func requireTokenizer(_ identity: TokenizerIdentity) throws {
        guard metadata.tokenizer.isCompatible(with: identity) else {
            throw IndexError.tokenizerMismatch(index: metadata.tokenizer, given: identity)
        }
    }

    /// Checks that every id is in this index's vocabulary.
    public func validate(_ tokens: [TokenID], where place: String) throws {
        let size = metadata.tokenizer.vocabularySize
        if let bad = tokens.first(where: { Int($0) >= size }) {
            throw IndexError.tokenOutOfVocabulary(token: bad, vocabularySize: size, where: place)
        }
    }

    /// Statistics of the dynamic store, read now (other processes may have appended).
    public func dynamicStatistics() throws -> (documents: Int, tokens: Int) {
        try environment.read { txn in
            let state = try dynamic.state(txn)
            return (Int(state.nextDocumentID), state.tokenCount)
        }
    }

    /// Appends past generations to the dynamic store in one durable transaction: when this
    /// returns they are on disk and visible to every reader.
    @discardableResult
    public func append(documents: [[TokenID]]) throws -> [UInt32] {
        for (i, doc) in documents.enumerated() { try validate(doc, where: "document \(i)") }
        return try environment.write { txn in try dynamic.append(documents, txn) }
    }
}
