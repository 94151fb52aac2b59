public import RetraceCore

extension TokenIndex {
    /// How many leading tokens of `pattern` (at most `maxLength`) occur together in the static
    /// store. The replay benchmark's oracle uses it: the longest true continuation retrieval
    /// could have proposed.
    public func longestStoredPrefix(of pattern: ArraySlice<TokenID>, maxLength: Int) throws -> Int {
        let symbols = pattern.prefix(maxLength).map { $0 + 1 }
        try validate(Array(pattern.prefix(maxLength)), where: "the pattern")
        var length = 0
        while length < symbols.count, !search.rows(matching: Array(symbols[...length])).isEmpty { length += 1 }
        return length
    }
}
