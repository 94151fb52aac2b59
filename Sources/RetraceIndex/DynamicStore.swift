import RetraceLMDB

/// The store of past generations: documents appended online, durably (each append is one
/// committed LMDB transaction), and searchable at once through token and token-pair postings.
struct DynamicStore {
    let documents: Database
    let postings: Database
    let meta: Database

    /// Where a context suffix occurs: document, offset just past the match, match length.
    struct Occurrence {
        var document: UInt32
        var end: Int
        var length: Int
    }

    func state(_ txn: borrowing Transaction) throws -> DynamicState {
        try txn.withValue(meta, key: Array(IndexFormat.dynamicStateKey.utf8)) { bytes in
            try StoredJSON.decode(DynamicState.self, from: bytes)
        } ?? DynamicState()
    }

    /// Appends documents (raw token ids) inside `txn`; returns their ids.
    func append(_ docs: [[UInt32]], _ txn: borrowing Transaction) throws -> [UInt32] {
        var state = try state(txn)
        var ids: [UInt32] = []
        for doc in docs where !doc.isEmpty {
            let id = state.nextDocumentID
            state.nextDocumentID += 1
            state.tokenCount += doc.count
            ids.append(id)
            let idBytes = IndexFormat.bigEndian(id)
            try doc.withUnsafeBytes { try txn.put(documents, key: idBytes, value: $0) }
            for i in doc.indices {
                let value = idBytes + IndexFormat.bigEndian(UInt32(i))
                try txn.put(postings, key: IndexFormat.bigEndian(doc[i]), value: value)
                if i > 0 {
                    try txn.put(postings, key: IndexFormat.bigEndian(doc[i - 1]) + IndexFormat.bigEndian(doc[i]), value: value)
                }
            }
        }
        try txn.put(meta, key: Array(IndexFormat.dynamicStateKey.utf8), value: try StoredJSON.encode(state))
        return ids
    }

    /// The longest suffix of `context` (raw ids, at most `maxLength`) found in the dynamic
    /// store, and its most recent occurrences (at most `limit` postings examined).
    func longestMatch(_ context: [UInt32], maxLength: Int, limit: Int,
                      _ txn: borrowing Transaction) throws -> (length: Int, occurrences: [Occurrence]) {
        let n = context.count
        guard n > 0, maxLength > 0, limit > 0 else { return (0, []) }
        var found: [Occurrence] = []
        if n >= 2 && maxLength >= 2 {
            found = try scan(key: IndexFormat.bigEndian(context[n - 2]) + IndexFormat.bigEndian(context[n - 1]),
                             context: context, maxLength: maxLength, limit: limit, txn)
        }
        if found.isEmpty {
            found = try scan(key: IndexFormat.bigEndian(context[n - 1]), context: context, maxLength: 1, limit: limit, txn)
        }
        let best = found.map(\.length).max() ?? 0
        return (best, found)
    }

    private func scan(key: [UInt8], context: [UInt32], maxLength: Int, limit: Int,
                      _ txn: borrowing Transaction) throws -> [Occurrence] {
        var out: [Occurrence] = []
        try txn.withCursor(postings) { cursor in
            guard try cursor.seek(exactly: key) != nil else { return }
            var entry = try cursor.move(.lastDuplicate)
            var cachedID: UInt32 = .max
            var cached = UnsafeRawBufferPointer(start: nil, count: 0)
            while let current = entry, out.count < limit {
                let doc = IndexFormat.readBigEndian(current.value)
                let offset = Int(IndexFormat.readBigEndian(current.value, at: 4))
                if doc != cachedID {
                    guard let bytes = try txn.rawValue(documents, key: IndexFormat.bigEndian(doc)) else {
                        throw IndexError.corrupt(path: "dynamic store", reason: "posting names missing document \(doc)")
                    }
                    cached = bytes
                    cachedID = doc
                }
                let tokens = cached.count / 4
                guard offset < tokens else {
                    throw IndexError.corrupt(path: "dynamic store", reason: "posting past the end of document \(doc)")
                }
                var length = 0
                while length < maxLength, length < context.count, offset - length >= 0,
                      cached.loadUnaligned(fromByteOffset: (offset - length) * 4, as: UInt32.self) == context[context.count - 1 - length] {
                    length += 1
                }
                out.append(Occurrence(document: doc, end: offset + 1, length: length))
                entry = try cursor.move(.previousDuplicate)
            }
        }
        return out
    }

    /// The tokens of document `id` from `start`, at most `count` of them.
    func tokens(of id: UInt32, from start: Int, count: Int, _ txn: borrowing Transaction) throws -> [UInt32] {
        try txn.withValue(documents, key: IndexFormat.bigEndian(id)) { bytes in
            let total = bytes.count / 4
            guard start < total else { return [] }
            return (start..<min(total, start + count)).map { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }
        } ?? []
    }
}
