import Foundation
public import RetraceCore
import RetraceLMDB

/// Stored n-gram trie nodes of one scope: paths with their stored counts, and the scale those
/// counts are relative to.
public struct StoredTrie: Sendable, Equatable {
    public var nodes: [(path: [TokenID], raw: Double)]
    public var scale: Double

    public init(nodes: [(path: [TokenID], raw: Double)], scale: Double) {
        self.nodes = nodes
        self.scale = scale
    }

    public static func == (a: StoredTrie, b: StoredTrie) -> Bool {
        a.scale == b.scale && a.nodes.count == b.nodes.count
            && zip(a.nodes, b.nodes).allSatisfy { $0.path == $1.path && $0.raw == $1.raw }
    }
}

extension TokenIndex {
    /// Checks a trie scope name: 1 to 128 bytes of UTF-8 without NUL.
    public static func validateTrieScope(_ scope: String) throws {
        let bytes = Array(scope.utf8)
        guard !bytes.isEmpty, bytes.count <= 128, !bytes.contains(0) else {
            throw IndexError.invalidArgument("a trie scope is 1 to 128 bytes without NUL (got '\(scope)')")
        }
    }

    private static func trieKey(_ scope: String, _ path: [TokenID]) -> [UInt8] {
        var key = Array(scope.utf8)
        key.append(0)
        for t in path { key += IndexFormat.bigEndian(t) }
        return key
    }

    /// The stored trie of `scope` (empty when none was stored). Nodes with token ids outside
    /// the vocabulary or unreadable counts are skipped.
    public func loadTrie(scope: String) throws -> StoredTrie {
        try Self.validateTrieScope(scope)
        let database: Database
        do {
            database = try environment.openDatabase(IndexFormat.trieDatabase)
        } catch let error as LMDBError where error.code == LMDBError.notFound {
            return StoredTrie(nodes: [], scale: 1)
        }
        let prefix = Self.trieKey(scope, [])
        let vocabulary = metadata.tokenizer.vocabularySize
        return try environment.read { txn in
            var out = StoredTrie(nodes: [], scale: 1)
            try txn.withCursor(database) { cursor in
                func take(_ e: Cursor.Entry) {
                    let pathBytes = e.key.count - prefix.count
                    guard pathBytes % 4 == 0, e.value.count == 8 else { return }
                    let value = Double(bitPattern: UInt64(littleEndian: e.value.loadUnaligned(as: UInt64.self)))
                    guard pathBytes > 0 else {
                        out.scale = value
                        return
                    }
                    let path = (0..<pathBytes / 4).map { IndexFormat.readBigEndian(e.key, at: prefix.count + $0 * 4) }
                    if path.allSatisfy({ Int($0) < vocabulary }) { out.nodes.append((path, value)) }
                }
                var entry = try cursor.seek(atLeast: prefix)
                while let e = entry, e.key.count >= prefix.count, e.key.starts(with: prefix) {
                    take(e)
                    entry = try cursor.move(.next)
                }
            }
            return out
        }
    }

    /// Every stored trie scope with its node count, by name.
    public func trieScopes() throws -> [(scope: String, nodes: Int)] {
        let database: Database
        do {
            database = try environment.openDatabase(IndexFormat.trieDatabase)
        } catch let error as LMDBError where error.code == LMDBError.notFound {
            return []
        }
        return try environment.read { txn in
            var counts: [String: Int] = [:]
            try txn.withCursor(database) { cursor in
                var entry = try cursor.move(.first)
                while let e = entry {
                    if let zero = e.key.firstIndex(of: 0) {
                        let name = String(decoding: e.key[..<zero], as: UTF8.self)
                        counts[name, default: 0] += e.key.count > zero + 1 ? 1 : 0
                    }
                    entry = try cursor.move(.next)
                }
            }
            return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    /// Applies a trie's changes for `scope` in one durable transaction: stored counts written,
    /// removed paths deleted, the scale recorded.
    public func saveTrie(scope: String, upserts: [(path: [TokenID], raw: Double)], removals: [[TokenID]], scale: Double) throws {
        try Self.validateTrieScope(scope)
        for (i, u) in upserts.enumerated() { try validate(u.path, where: "trie node \(i)") }
        let database = try environment.openDatabase(IndexFormat.trieDatabase, flags: .create)
        try environment.write { txn in
            for path in removals where !path.isEmpty { try txn.delete(database, key: Self.trieKey(scope, path)) }
            for u in upserts where !u.path.isEmpty {
                try txn.put(database, key: Self.trieKey(scope, u.path), value: Self.bytes(u.raw))
            }
            try txn.put(database, key: Self.trieKey(scope, []), value: Self.bytes(scale))
        }
    }

    private static func bytes(_ value: Double) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}
