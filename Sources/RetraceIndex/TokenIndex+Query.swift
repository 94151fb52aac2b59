public import RetraceCore
import RetraceLMDB

/// Reads continuations from the static store's suffix-array rows.
struct StaticRows: ContinuationRows {
    let search: SuffixArraySearch
    let matchLength: Int
    @inline(__always)
    func symbol(row: Int, depth: Int) -> UInt32 {
        search.symbol(at: search.position(ofRow: row) + matchLength + depth)
    }
}

extension TokenIndex {
    /// Finds the longest suffix of `context` (up to `options.maxMatchLength` tokens) present in
    /// the static or dynamic store, and the most frequent continuations after it, counted over
    /// both stores. Matches and continuations never cross a document boundary.
    public func query(context: [TokenID], options: QueryOptions = QueryOptions()) throws -> QueryResult {
        var hint: QueryHint?
        return try query(context: context, options: options, hint: &hint, appended: 0)
    }

    /// ``query(context:options:)`` for a text that grows between queries: `hint` is what the
    /// previous query of this text left (nil for the first), `appended` the tokens added to
    /// `context` since. The answer is the same; the static store's match is found by
    /// narrowing the previous one where it still holds. On return `hint` is this query's.
    public func query(context: [TokenID], options: QueryOptions, hint: inout QueryHint?, appended: Int) throws -> QueryResult {
        guard options.maxMatchLength > 0, options.top >= 0, options.continuationLength >= 0 else {
            throw IndexError.invalidArgument("query options must be positive")
        }
        try validate(context, where: "the context")
        let tail = Array(context.suffix(options.maxMatchLength))
        let symbols = tail.map { $0 + 1 }
        let previous = hint.flatMap { $0.match(for: context, appended: appended, maxMatchLength: options.maxMatchLength) }
        let match = symbols.withUnsafeBufferPointer {
            search.longestSuffixMatch(context: $0, maxLength: options.maxMatchLength, after: previous, appended: appended)
        }
        hint = QueryHint(tail: tail, maxMatchLength: options.maxMatchLength, match: match)
        let (staticLength, staticRows) = (match.length, match.rows)
        return try environment.read { txn in
            let (dynamicLength, found) = try dynamic.longestMatch(
                tail, maxLength: options.maxMatchLength, limit: options.dynamicOccurrenceLimit, txn)
            let length = max(staticLength, dynamicLength)
            guard length > 0 else {
                return QueryResult(matchLength: 0, staticOccurrences: 0, dynamicOccurrences: 0, continuations: [])
            }
            let useStatic = staticLength == length
            let L = options.continuationLength

            var staticRanked: [Continuation] = []
            if useStatic {
                var ranker = ContinuationRanker(rows: StaticRows(search: search, matchLength: length),
                                                maxLength: L, top: options.top)
                ranker.exactScanLimit = options.exactScanLimit
                ranker.maxRowReads = options.maxRowReads
                staticRanked = ranker.rank(staticRows)
            }
            let occurrences = found.filter { $0.length >= length }
            guard !occurrences.isEmpty else {
                return QueryResult(matchLength: length, staticOccurrences: useStatic ? staticRows.count : 0,
                                   dynamicOccurrences: 0,
                                   continuations: Array(staticRanked.sorted(by: Continuation.ranksBefore).prefix(options.top)))
            }
            var dynamicCounts: [[TokenID]: Int] = [:]
            for occurrence in occurrences {
                let tokens = try dynamic.tokens(of: occurrence.document, from: occurrence.end, count: L, txn)
                if !tokens.isEmpty { dynamicCounts[tokens, default: 0] += 1 }
            }

            var merged: [[TokenID]: Int] = [:]
            for c in staticRanked { merged[c.tokens] = c.count }
            let matchSymbols = Array(symbols.suffix(length))
            for (tokens, count) in dynamicCounts {
                let staticCount = merged[tokens]
                    ?? (useStatic ? staticOccurrences(of: matchSymbols, followedBy: tokens, length: L) : 0)
                merged[tokens] = staticCount + count
            }
            let ranked = merged.map { Continuation(tokens: $0.key, count: $0.value) }
                .sorted(by: Continuation.ranksBefore)
            return QueryResult(matchLength: length,
                               staticOccurrences: useStatic ? staticRows.count : 0,
                               dynamicOccurrences: occurrences.count,
                               continuations: Array(ranked.prefix(options.top)))
        }
    }

    /// Static occurrences of `match` followed by `tokens` (and by a document's end when the
    /// continuation is shorter than `length`).
    private func staticOccurrences(of match: [UInt32], followedBy tokens: [TokenID], length: Int) -> Int {
        var pattern = match + tokens.map { $0 + 1 }
        if tokens.count < length { pattern.append(0) }
        return search.rows(matching: pattern).count
    }
}

/// What an index query leaves for the next query of the same, grown text: the static store's
/// longest match and the context tail it belongs to. Opaque to callers.
public struct QueryHint: Sendable, Equatable {
    let tail: [TokenID]
    let maxMatchLength: Int
    let match: SuffixMatch

    /// The match, if `context` is this hint's context with `appended` tokens added (checked on
    /// the tail the match depends on), under the same longest match length.
    func match(for context: [TokenID], appended: Int, maxMatchLength: Int) -> SuffixMatch? {
        guard maxMatchLength == self.maxMatchLength, appended >= 0, appended <= context.count else { return nil }
        let before = context.dropLast(appended)
        // A shorter tail was the whole context then: it must be the whole context now too.
        guard tail.count == maxMatchLength || before.count == tail.count else { return nil }
        return before.suffix(tail.count).elementsEqual(tail) ? match : nil
    }
}
