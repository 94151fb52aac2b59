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

    /// A proposed continuation: the tokens after an earlier occurrence and how long the match was.
    public struct Match: Sendable, Equatable {
        public var continuation: [TokenID]
        public var matchLength: Int
    }

    /// Up to `branches` distinct continuations of up to `length` tokens, from the most recent
    /// earlier occurrences of the context's last tokens (at least 2 matching, at most `maxMatch`).
    public func matches(branches: Int, length: Int, maxMatch: Int = 32, maxCandidates: Int = 64) -> [Match] {
        let n = tokens.count
        guard n >= 2, branches > 0, length > 0 else { return [] }
        guard let positions = pairs[Self.key(tokens[n - 2], tokens[n - 1])] else { return [] }
        var found: [Match] = []
        var examined = 0
        for p32 in positions.reversed() {
            let p = Int(p32)
            guard p < n - 1 else { continue }   // the current end itself
            examined += 1
            if examined > maxCandidates { break }
            var m = 2
            while m < maxMatch, p - m >= 0, tokens[p - m] == tokens[n - 1 - m] { m += 1 }
            let continuation = Array(tokens[(p + 1)..<min(n, p + 1 + length)])
            guard !continuation.isEmpty else { continue }
            if let i = found.firstIndex(where: { $0.continuation.starts(with: continuation) || continuation.starts(with: $0.continuation) }) {
                if m > found[i].matchLength { found[i].matchLength = m }
                if continuation.count > found[i].continuation.count { found[i].continuation = continuation }
                continue
            }
            found.append(Match(continuation: continuation, matchLength: m))
            if found.count >= branches { break }
        }
        return found.sorted { $0.matchLength > $1.matchLength }
    }
}
