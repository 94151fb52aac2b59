public import RetraceCore
public import RetraceIndex
public import RetraceSpeculation

extension TokenIndex: ContinuationProvider {
    public func continuations(of context: [TokenID], top: Int, length: Int) throws
        -> (matchLength: Int, occurrences: Int, continuations: [(tokens: [TokenID], count: Int)]) {
        let r = try query(context: context, options: QueryOptions(maxMatchLength: 16, top: top, continuationLength: length))
        return (r.matchLength, r.occurrences, r.continuations.map { ($0.tokens, $0.count) })
    }
}
