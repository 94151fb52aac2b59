public import RetraceCore

/// Prompt lookup over the live context (prompt and generated tokens): finds earlier places
/// where the context's last tokens occurred, most recent first, and proposes what followed.
/// Incremental: a table of token-pair positions grows as tokens are appended. Pure.
public struct ContextLookup: Sendable {
    public private(set) var tokens: [TokenID] = []
    private var pairs: [UInt64: [Int32]] = [:]   // (a, b) → positions of b

    public init() {}

    public mutating func append(_ new: some Sequence<TokenID>) {
        for t in new {
            tokens.append(t)
            let i = tokens.count - 1
            if i > 0 { pairs[Self.key(tokens[i - 1], t), default: []].append(Int32(i)) }
        }
    }

    static func key(_ a: TokenID, _ b: TokenID) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    /// A proposed continuation: the tokens after an earlier occurrence, how long the match was,
    /// and how many of the earlier occurrences examined went on with the same next token.
    public struct Match: Sendable, Equatable {
        public var continuation: [TokenID]
        public var matchLength: Int
        /// Occurrences examined whose next token is this continuation's first.
        public var support: Int
        /// Occurrences examined (each at least 2 tokens long and followed by a token).
        public var candidates: Int
    }

    /// Up to `branches` distinct continuations of up to `length` tokens after earlier
    /// occurrences of the context's last tokens (at least 2 matching, at most `maxMatch`), the
    /// longest matches first and, among equally long ones, the most recent. Looks at the
    /// `maxCandidates` most recent occurrences.
    public func matches(branches: Int, length: Int, maxMatch: Int = 32, maxCandidates: Int = 64) -> [Match] {
        let n = tokens.count
        guard n >= 2, branches > 0, length > 0 else { return [] }
        guard let positions = pairs[Self.key(tokens[n - 2], tokens[n - 1])] else { return [] }
        var candidates: [(match: Int, position: Int)] = []   // most recent first
        for p32 in positions.reversed() {
            let p = Int(p32)
            guard p < n - 1 else { continue }   // the current end itself has no continuation
            var m = 2
            while m < maxMatch, p - m >= 0, tokens[p - m] == tokens[n - 1 - m] { m += 1 }
            candidates.append((m, p))
            if candidates.count >= maxCandidates { break }
        }
        var support: [TokenID: Int] = [:]
        for c in candidates { support[tokens[c.position + 1], default: 0] += 1 }
        let ranked = candidates.enumerated().sorted {
            $0.element.match != $1.element.match ? $0.element.match > $1.element.match : $0.offset < $1.offset
        }
        var found: [Match] = []
        for (_, c) in ranked {
            let continuation = Array(tokens[(c.position + 1)..<min(n, c.position + 1 + length)])
            if let i = found.firstIndex(where: { $0.continuation.starts(with: continuation) || continuation.starts(with: $0.continuation) }) {
                if continuation.count > found[i].continuation.count { found[i].continuation = continuation }
                continue
            }
            found.append(Match(continuation: continuation, matchLength: c.match, support: support[continuation[0]] ?? 0,
                               candidates: candidates.count))
            if found.count >= branches { break }
        }
        return found
    }
}
