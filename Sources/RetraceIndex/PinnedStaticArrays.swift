import Foundation
import RetraceLMDB
import RetraceCore

/// The static store's arrays, read in place from the memory map through a snapshot that stays
/// open as long as this object lives. Values too small for LMDB to page-align are copied; with
/// `resident`, the symbols and the suffix array are copied into memory backed by huge pages.
final class PinnedStaticArrays: @unchecked Sendable {
    let snapshot: Snapshot
    let search: SuffixArraySearch
    private let copies: [UnsafeMutableBufferPointer<UInt32>]
    /// The huge-page copies the search reads, when resident (kept alive with it).
    private let residentRegions: [ResidentRegion]

    init(snapshot: Snapshot, database: Database, metadata: IndexMetadata, path: String, resident: Bool = false) throws {
        self.snapshot = snapshot
        var copies: [UnsafeMutableBufferPointer<UInt32>] = []
        /// The array under `key` (`count` words, or as many as it holds); nil when absent.
        func pinIfPresent(_ key: String, count: Int?) throws -> UnsafeBufferPointer<UInt32>? {
            guard let raw = try snapshot.pinnedValue(database, key: Array(key.utf8)) else { return nil }
            let count = count ?? raw.count / 4
            guard raw.count == count * 4 else {
                throw IndexError.corrupt(path: path, reason: "\(key) holds \(raw.count) bytes, expected \(count * 4)")
            }
            if count == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
            if Int(bitPattern: raw.baseAddress) % 4 == 0 { return raw.bindMemory(to: UInt32.self) }
            let copy = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: count)
            UnsafeMutableRawBufferPointer(copy).copyMemory(from: raw)
            copies.append(copy)
            return UnsafeBufferPointer(copy)
        }
        func pin(_ key: String, count: Int?) throws -> UnsafeBufferPointer<UInt32> {
            guard let array = try pinIfPresent(key, count: count) else {
                throw IndexError.corrupt(path: path, reason: "missing \(key)")
            }
            return array
        }
        let n = metadata.symbolCount
        let symbols: UnsafeBufferPointer<UInt32>, suffixes: UnsafeBufferPointer<UInt32>, buckets: UnsafeBufferPointer<UInt32>
        let pairs: SymbolPairTable
        do {
            symbols = try pin(IndexFormat.symbolsKey, count: n)
            suffixes = try pin(IndexFormat.suffixesKey, count: n + 1)
            buckets = try pin(IndexFormat.bucketsKey, count: metadata.tokenizer.vocabularySize + 2)
            guard suffixes.first == UInt32(n), buckets.last == UInt32(n + 1) else {
                throw IndexError.corrupt(path: path, reason: "suffix array header does not match the token count")
            }
            // Indexes built before pair tables have none.
            if let starts = try pinIfPresent(IndexFormat.pairStartsKey, count: metadata.tokenizer.vocabularySize + 2) {
                let entries = try pin(IndexFormat.pairsKey, count: nil)
                guard entries.count % 2 == 0, starts.last.map({ Int($0) == entries.count / 2 }) == true else {
                    throw IndexError.corrupt(path: path, reason: "the symbol pair table does not match its entries")
                }
                pairs = SymbolPairTable(starts: starts, entries: entries)
            } else {
                pairs = .empty
            }
        } catch {
            for c in copies { c.deallocate() }
            throw error
        }
        self.copies = copies
        guard resident else {
            search = SuffixArraySearch(symbols: symbols, suffixes: suffixes, bucketStarts: buckets, pairs: pairs)
            residentRegions = []
            return
        }
        do {
            let symbolRegion = try ResidentRegion(copying: symbols)
            let suffixRegion = try ResidentRegion(copying: suffixes)
            residentRegions = [symbolRegion, suffixRegion]
            search = SuffixArraySearch(symbols: symbolRegion.words, suffixes: suffixRegion.words, bucketStarts: buckets,
                                       pairs: pairs)
        } catch {
            for c in copies { c.deallocate() }
            throw error
        }
    }

    /// Reads one word per page of the symbols and the suffix array, so that later searches take
    /// no page faults; returns the number of bytes covered.
    func prefault() -> Int {
        var sum: UInt32 = 0
        let stride = 4096 / MemoryLayout<UInt32>.stride
        for array in [search.symbols, search.suffixes] {
            for i in Swift.stride(from: 0, to: array.count, by: stride) { sum &+= array[i] }
        }
        blackHole(sum)
        return (search.symbols.count + search.suffixes.count) * MemoryLayout<UInt32>.stride
    }

    deinit { for c in copies { c.deallocate() } }
}

/// Anonymous memory holding a copy of an array, advised to be backed by huge pages: a random
/// read then rarely misses the TLB (2 MiB pages instead of 4 KiB ones). Unmapped on deinit.
final class ResidentRegion {
    private let base: UnsafeMutableRawPointer
    private let byteCount: Int
    let words: UnsafeBufferPointer<UInt32>

    init(copying source: UnsafeBufferPointer<UInt32>) throws {
        let hugePage = 2 << 20
        byteCount = max(hugePage, (source.count * 4 + hugePage - 1) / hugePage * hugePage)
        guard let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else {
            throw IndexError.invalidArgument("cannot hold the index in memory: mapping \(byteCount) bytes failed (errno \(errno))")
        }
        #if os(Linux)
        // Advice only: where huge pages are unavailable the copy still works, with small pages.
        _ = madvise(mapped, byteCount, Self.hugePageAdvice)
        #endif
        if let from = source.baseAddress { mapped.copyMemory(from: from, byteCount: source.count * 4) }
        // Read-only from here on, like the map it copies.
        _ = mprotect(mapped, byteCount, PROT_READ)
        base = mapped
        words = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt32.self), count: source.count)
    }

    /// MADV_HUGEPAGE (Linux; Glibc does not export the name to Swift).
    private static let hugePageAdvice: Int32 = 14

    deinit { munmap(base, byteCount) }
}
