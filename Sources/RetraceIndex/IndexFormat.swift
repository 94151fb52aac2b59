import RetraceLMDB

/// Layout of an index on disk: one LMDB environment (a directory with `data.mdb`), and in it
/// these named databases and keys. Bump ``version`` for any incompatible change.
enum IndexFormat {
    static let version = 1
    static let retraceVersion = "0.1.0"

    /// `metadata` (JSON ``IndexMetadata``) and the dynamic store's counters.
    static let metaDatabase = "meta"
    /// `symbols`, `suffixes`, `buckets`, `pairStarts` and `pairs`: contiguous little-endian
    /// UInt32 arrays (the two pair arrays are a ``SymbolPairTable``; indexes built before it
    /// have none and are searched without).
    static let staticDatabase = "static"
    /// Past generations: big-endian UInt32 document id → little-endian UInt32 token ids.
    static let dynamicDocumentsDatabase = "dynamic.documents"
    /// Postings of the dynamic store: a 4-byte (token) or 8-byte (token pair) big-endian key
    /// → 8-byte values (document id, offset of the key's last token), both big-endian.
    static let dynamicPostingsDatabase = "dynamic.postings"

    /// N-gram tries of past prompts and outputs (the drafter's Lookahead source), one per scope:
    /// key = scope name (UTF-8), 0, then the node's path as big-endian UInt32 token ids → its
    /// stored count (little-endian Float64); the key with an empty path holds the scale the
    /// stored counts are relative to. Created on first write; indexes without it read as empty.
    static let trieDatabase = "trie"

    static let metadataKey = "metadata"
    static let dynamicStateKey = "dynamic"
    static let symbolsKey = "symbols"
    static let suffixesKey = "suffixes"
    static let bucketsKey = "buckets"
    static let pairStartsKey = "pairStarts"
    static let pairsKey = "pairs"

    /// Map size every index is opened with: address space only (the file grows as data
    /// does), large enough that the map never has to move under pinned static arrays.
    static let mapSize = 1 << 38

    /// Largest vocabulary an index accepts (the bucket table has one entry per id; Gemma-3
    /// has 262,144).
    static let maxVocabularySize = 1 << 24

    /// Largest static store: suffix positions are 32-bit.
    static let maxSymbols = Int(Int32.max) - 2

    /// Where each of consecutive runs starts, given their lengths and the first run's start,
    /// then where the last one ends: `lengths.count + 1` entries (the bucket and pair tables).
    static func runStarts(lengths: [UInt32], from first: UInt32) -> [UInt32] {
        var starts: [UInt32] = []
        starts.reserveCapacity(lengths.count + 1)
        var next = first
        for length in lengths {
            starts.append(next)
            next += length
        }
        starts.append(next)
        return starts
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

/// Counters of the dynamic store, stored as JSON under `meta/dynamic`, updated in the same
/// transaction as each append.
struct DynamicState: Codable, Equatable {
    var nextDocumentID: UInt32 = 0
    var tokenCount: Int = 0
}
