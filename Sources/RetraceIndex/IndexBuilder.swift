import Foundation
public import RetraceCore
import RetraceLMDB

/// Builds an index from documents of token ids.
///
/// Documents are spooled to disk as they arrive, so tokenizing needs little memory; `finish`
/// stores them, builds the suffix array in place in LMDB's reserved space and publishes the
/// index by renaming its staging directory. Until then the destination is untouched, so an
/// interrupted build never leaves something that claims to be an index.
///
/// ```swift
/// let builder = try IndexBuilder(destination: "indexes/mine", tokenizer: tokenizer.identity, inputs: paths)
/// for text in texts { try builder.add(document: tokenizer.tokenize(text)) }
/// let report = try builder.finish()
/// ```
public final class IndexBuilder {
    public let destination: String
    public let tokenizer: TokenizerIdentity
    let staging: String
    private let parameters: IndexMetadata.BuildParameters
    private let force: Bool
    private var spool: FileHandle?
    private var buffer: [UInt32] = []
    private(set) public var tokenCount = 0
    private(set) public var documentCount = 0
    private var finished = false

    /// Prepares a build into `destination`, which must not exist unless `force` is set.
    public init(destination: String, tokenizer: TokenizerIdentity, inputs: [String], pretokenized: Bool = false,
                force: Bool = false) throws {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: destination).standardizedFileURL
        self.destination = url.path
        self.tokenizer = tokenizer
        self.force = force
        self.parameters = .init(inputs: inputs, pretokenized: pretokenized, retraceVersion: IndexFormat.retraceVersion)
        guard (1...IndexFormat.maxVocabularySize).contains(tokenizer.vocabularySize) else {
            throw IndexError.invalidArgument("vocabulary size \(tokenizer.vocabularySize) is outside 1...\(IndexFormat.maxVocabularySize)")
        }
        if fm.fileExists(atPath: self.destination) && !force { throw IndexError.alreadyExists(path: self.destination) }
        let parent = url.deletingLastPathComponent().path
        try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
        Self.removeAbandonedStaging(parent: parent, name: url.lastPathComponent)
        staging = parent + "/.\(url.lastPathComponent).building-\(getpid())"
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        guard fm.createFile(atPath: staging + "/symbols.spool", contents: nil),
              let handle = FileHandle(forWritingAtPath: staging + "/symbols.spool") else {
            throw IndexError.invalidArgument("cannot write in \(parent)")
        }
        spool = handle
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !finished { try? FileManager.default.removeItem(atPath: staging) }
    }

    /// Adds one document. Empty documents are skipped.
    public func add(document: [TokenID]) throws {
        guard !document.isEmpty else { return }
        let size = tokenizer.vocabularySize
        if let bad = document.first(where: { Int($0) >= size }) {
            throw IndexError.tokenOutOfVocabulary(token: bad, vocabularySize: size, where: "document \(documentCount + 1)")
        }
        guard tokenCount + documentCount + document.count + 1 <= IndexFormat.maxSymbols else {
            throw IndexError.tooLarge(tokens: tokenCount + document.count, limit: IndexFormat.maxSymbols)
        }
        for t in document { buffer.append(t + 1) }
        buffer.append(0)
        tokenCount += document.count
        documentCount += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty, let spool else { return }
        try buffer.withUnsafeBytes { try spool.write(contentsOf: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Stores the tokens, builds the suffix array and publishes the index.
    public func finish(progress: (BuildPhase) -> Void = { _ in }) throws -> BuildReport {
        precondition(!finished, "finish called twice")
        try flush()
        try spool?.close()
        spool = nil
        guard tokenCount > 0 else { throw IndexError.emptyCorpus }
        let n = tokenCount + documentCount
        let alphabet = tokenizer.vocabularySize + 1
        var report = BuildReport(tokens: tokenCount, documents: documentCount)

        // Symbols, suffixes, buckets, at most one pair entry (8 bytes) per symbol, slack.
        let mapSize = 16 * n + 8 * (alphabet + 2) + (n / 8) + (64 << 20)
        let env = try Environment(path: staging, options: .init(maxDatabases: 8, mapSize: mapSize))
        var metadata = IndexMetadata(
            formatVersion: IndexFormat.version, state: .building, tokenizer: tokenizer, tokenCount: tokenCount,
            documentCount: documentCount, symbolCount: n, build: parameters, createdAt: Date(),
            symbolsChecksum: "", suffixArrayChecksum: "")
        let meta = try env.openDatabase(IndexFormat.metaDatabase, flags: .create)
        let store = try env.openDatabase(IndexFormat.staticDatabase, flags: .create)
        _ = try env.openDatabase(IndexFormat.dynamicDocumentsDatabase, flags: .create)
        _ = try env.openDatabase(IndexFormat.dynamicPostingsDatabase, flags: [.create, .duplicateSort, .duplicateFixed])
        let metadataKey = Array(IndexFormat.metadataKey.utf8)
        try env.write { txn in try txn.put(meta, key: metadataKey, value: try StoredJSON.encode(metadata)) }

        // 1. Symbols: copy the spool into LMDB's reserved space, counting symbols for the buckets.
        progress(.storingTokens)
        var counts = [UInt32](repeating: 0, count: alphabet)
        let clock = ContinuousClock()
        var start = clock.now
        let spoolPath = staging + "/symbols.spool"
        try env.write { txn in
            try txn.putReserving(store, key: Array(IndexFormat.symbolsKey.utf8), count: n * 4) { raw in
                guard let input = FileHandle(forReadingAtPath: spoolPath) else {
                    throw IndexError.invalidArgument("lost the token spool \(spoolPath)")
                }
                defer { try? input.close() }
                var filled = 0
                while filled < raw.count {
                    let chunk = try input.read(upToCount: min(64 << 20, raw.count - filled)) ?? Data()
                    guard !chunk.isEmpty else { throw IndexError.invalidArgument("token spool ended early") }
                    chunk.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<(filled + chunk.count)]))
                    filled += chunk.count
                }
                let symbols = UnsafeRawBufferPointer(raw).bindMemory(to: UInt32.self)
                counts.withUnsafeMutableBufferPointer { c in
                    for s in symbols { c[Int(s)] &+= 1 }
                }
                metadata.symbolsChecksum = Checksum.of(UnsafeRawBufferPointer(raw))
            }
        }
        try? FileManager.default.removeItem(atPath: spoolPath)
        report.storeSeconds = (clock.now - start).seconds

        // 2. Suffix array, built straight into its reserved value; then buckets and metadata.
        progress(.suffixArray)
        start = clock.now
        var writeStart = start
        try env.write { txn in
            guard let raw = try txn.rawValue(store, key: Array(IndexFormat.symbolsKey.utf8)) else {
                throw IndexError.corrupt(path: staging, reason: "symbols vanished during the build")
            }
            let symbols = raw.bindMemory(to: UInt32.self)
            var pairs: (starts: [UInt32], entries: [UInt32]) = ([], [])
            try txn.putReserving(store, key: Array(IndexFormat.suffixesKey.utf8), count: (n + 1) * 4) { out in
                let suffixes = out.bindMemory(to: Int32.self)
                SuffixArrayBuilder.build(symbols: symbols, alphabetSize: alphabet, into: suffixes)
                metadata.suffixArrayChecksum = Checksum.of(UnsafeRawBufferPointer(out))
                pairs = SymbolPairTable.build(symbols: symbols, suffixes: UnsafeBufferPointer(suffixes), alphabetSize: alphabet)
            }
            report.suffixArraySeconds = (clock.now - start).seconds
            progress(.writing)
            writeStart = clock.now
            let buckets = IndexFormat.runStarts(lengths: counts, from: 1)
            try buckets.withUnsafeBytes { try txn.put(store, key: Array(IndexFormat.bucketsKey.utf8), value: $0) }
            try pairs.starts.withUnsafeBytes { try txn.put(store, key: Array(IndexFormat.pairStartsKey.utf8), value: $0) }
            try pairs.entries.withUnsafeBytes { try txn.put(store, key: Array(IndexFormat.pairsKey.utf8), value: $0) }
            metadata.state = .complete
            try txn.put(meta, key: metadataKey, value: try StoredJSON.encode(metadata))
        }
        try env.sync()
        report.bytesOnDisk = (try? FileManager.default.attributesOfItem(atPath: staging + "/data.mdb")[.size] as? NSNumber)?.intValue ?? 0
        try publish()
        report.writeSeconds = (clock.now - writeStart).seconds
        finished = true
        return report
    }

    /// Renames the staging directory onto the destination (replacing it when forced).
    private func publish() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            guard force else { throw IndexError.alreadyExists(path: destination) }
            let old = staging + ".old"
            try fm.moveItem(atPath: destination, toPath: old)
            try fm.moveItem(atPath: staging, toPath: destination)
            try? fm.removeItem(atPath: old)
        } else {
            try fm.moveItem(atPath: staging, toPath: destination)
        }
    }

    /// Removes staging directories of builds whose process is gone.
    private static func removeAbandonedStaging(parent: String, name: String) {
        let prefix = ".\(name).building-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            let pidText = entry.dropFirst(prefix.count).prefix { $0.isNumber }
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(atPath: parent + "/" + entry)
            }
        }
    }
}
