/// What to look for in an index query.
public struct QueryOptions: Sendable, Equatable {
    /// Longest context suffix to match, in tokens.
    public var maxMatchLength: Int
    /// Number of continuations to return.
    public var top: Int
    /// Longest continuation, in tokens.
    public var continuationLength: Int
    /// Runs of at most this many occurrences are scanned exactly; larger ones are sampled.
    public var exactScanLimit: Int
    /// Most dynamic-store occurrences examined per query (the most recent first).
    public var dynamicOccurrenceLimit: Int
    /// Suffix-array rows read while ranking continuations, about (the bound on work per query).
    public var maxRowReads: Int

    public init(maxMatchLength: Int = 16, top: Int = 8, continuationLength: Int = 8,
                exactScanLimit: Int = 64, dynamicOccurrenceLimit: Int = 512, maxRowReads: Int = 768) {
        self.maxMatchLength = maxMatchLength
        self.top = top
        self.continuationLength = continuationLength
        self.exactScanLimit = exactScanLimit
        self.dynamicOccurrenceLimit = dynamicOccurrenceLimit
        self.maxRowReads = maxRowReads
    }

    /// Exact answers whatever the occurrence counts: for tests and small indexes.
    public static func exhaustive(maxMatchLength: Int = 16, top: Int = 8, continuationLength: Int = 8) -> QueryOptions {
        QueryOptions(maxMatchLength: maxMatchLength, top: top, continuationLength: continuationLength,
                     exactScanLimit: .max, dynamicOccurrenceLimit: .max, maxRowReads: .max)
    }
}

/// The answer to a query: the longest matching context suffix and what followed it.
public struct QueryResult: Sendable, Equatable, Codable {
    /// Length of the longest context suffix found in the index (0: none).
    public var matchLength: Int
    /// Occurrences of that suffix in the static store.
    public var staticOccurrences: Int
    /// Occurrences of that suffix in the dynamic store (capped by the options' limit).
    public var dynamicOccurrences: Int
    /// The most frequent continuations, best first, counted over both stores.
    public var continuations: [Continuation]

    public var occurrences: Int { staticOccurrences + dynamicOccurrences }

    public init(matchLength: Int, staticOccurrences: Int, dynamicOccurrences: Int, continuations: [Continuation]) {
        self.matchLength = matchLength
        self.staticOccurrences = staticOccurrences
        self.dynamicOccurrences = dynamicOccurrences
        self.continuations = continuations
    }
}
