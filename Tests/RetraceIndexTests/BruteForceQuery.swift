import RetraceIndex

/// The answer a query must give, found by scanning every document.
func bruteForceQuery(staticDocuments: [[UInt32]], dynamicDocuments: [[UInt32]], context: [UInt32],
                     options: QueryOptions) -> QueryResult {
    let all = staticDocuments.map { ($0, true) } + dynamicDocuments.map { ($0, false) }
    var m = min(options.maxMatchLength, context.count)
    while m > 0 {
        let pattern = Array(context.suffix(m))
        var staticCount = 0, dynamicCount = 0
        var counts: [[UInt32]: Int] = [:]
        for (doc, isStatic) in all where doc.count >= m {
            for i in 0...(doc.count - m) where Array(doc[i..<(i + m)]) == pattern {
                if isStatic { staticCount += 1 } else { dynamicCount += 1 }
                let continuation = Array(doc[(i + m)..<min(doc.count, i + m + options.continuationLength)])
                if !continuation.isEmpty { counts[continuation, default: 0] += 1 }
            }
        }
        if staticCount + dynamicCount > 0 {
            let ranked = counts.map { Continuation(tokens: $0.key, count: $0.value) }.sorted(by: Continuation.ranksBefore)
            return QueryResult(matchLength: m, staticOccurrences: staticCount, dynamicOccurrences: dynamicCount,
                               continuations: Array(ranked.prefix(options.top)))
        }
        m -= 1
    }
    return QueryResult(matchLength: 0, staticOccurrences: 0, dynamicOccurrences: 0, continuations: [])
}
