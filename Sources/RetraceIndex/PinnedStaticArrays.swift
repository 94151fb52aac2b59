import RetraceLMDB
import RetraceCore

/// The static store's arrays, read in place from the memory map through a snapshot that stays
/// open as long as this object lives. Values too small for LMDB to page-align are copied.
final class PinnedStaticArrays: @unchecked Sendable {
    let snapshot: Snapshot
    let search: SuffixArraySearch
    private let copies: [UnsafeMutableBufferPointer<UInt32>]

    init(snapshot: Snapshot, database: Database, metadata: IndexMetadata, path: String) throws {
        self.snapshot = snapshot
        var copies: [UnsafeMutableBufferPointer<UInt32>] = []
        func pin(_ key: String, count: Int) throws -> UnsafeBufferPointer<UInt32> {
            guard let raw = try snapshot.pinnedValue(database, key: Array(key.utf8)) else {
                throw IndexError.corrupt(path: path, reason: "missing \(key)")
            }
            guard raw.count == count * 4 else {
                throw IndexError.corrupt(path: path, reason: "\(key) holds \(raw.count) bytes, expected \(count * 4)")
            }
            if Int(bitPattern: raw.baseAddress) % 4 == 0 { return raw.bindMemory(to: UInt32.self) }
            let copy = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: count)
            UnsafeMutableRawBufferPointer(copy).copyMemory(from: raw)
            copies.append(copy)
            return UnsafeBufferPointer(copy)
        }
        let n = metadata.symbolCount
        let symbols: UnsafeBufferPointer<UInt32>, suffixes: UnsafeBufferPointer<UInt32>, buckets: UnsafeBufferPointer<UInt32>
        do {
            symbols = try pin(IndexFormat.symbolsKey, count: n)
            suffixes = try pin(IndexFormat.suffixesKey, count: n + 1)
            buckets = try pin(IndexFormat.bucketsKey, count: metadata.tokenizer.vocabularySize + 2)
            guard suffixes.first == UInt32(n), buckets.last == UInt32(n + 1) else {
                throw IndexError.corrupt(path: path, reason: "suffix array header does not match the token count")
            }
        } catch {
            for c in copies { c.deallocate() }
            throw error
        }
        search = SuffixArraySearch(symbols: symbols, suffixes: suffixes, bucketStarts: buckets)
        self.copies = copies
    }

    /// Reads one word per page of the symbols and the suffix array, so that later searches take
    /// no page faults; returns the number of bytes covered.
    func prefault() -> Int {
        var sink: UInt32 = 0
        let stride = 4096 / MemoryLayout<UInt32>.stride
        for array in [search.symbols, search.suffixes] {
            for i in Swift.stride(from: 0, to: array.count, by: stride) { sink &+= array[i] }
        }
        // Keeps the reads from being optimised away.
        withExtendedLifetime(sink) {}
        return (search.symbols.count + search.suffixes.count) * MemoryLayout<UInt32>.stride
    }

    deinit { for c in copies { c.deallocate() } }
}
