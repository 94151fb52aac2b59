public import RetraceCore

/// The prompt-lookup baseline (as in llama.cpp's and transformers' prompt lookup decoding):
/// finds the most recent earlier occurrence of the context's last 3, else 2, else 1 tokens and
/// proposes the `length` tokens that followed it as one chain. Scans the context linearly; a
/// yardstick for the replay benchmark, not a production drafter. Pure.
public struct PromptLookupDrafter: Drafter {
    public var length: Int
    public private(set) var context: [TokenID] = []

    public init(length: Int) { self.length = length }

    public mutating func start(prompt: [TokenID]) { context = prompt }
    public mutating func commit(_ tokens: [TokenID]) { context += tokens }
    public mutating func learn(from tree: DraftTree, result: VerificationResult) {}

    public mutating func draft() throws -> DraftTree {
        var tree = DraftTree()
        for n in [3, 2, 1] where context.count > n {
            let key = context.suffix(n)
            var start = context.count - n - 1
            while start >= 0 {
                if context[start..<start + n].elementsEqual(key) { break }
                start -= 1
            }
            guard start >= 0 else { continue }
            let continuation = context[(start + n)..<min(context.count, start + n + length)]
            guard !continuation.isEmpty else { continue }
            var parent = -1
            for (i, token) in continuation.enumerated() {
                parent = tree.add(token, under: parent, score: 1 / Double(i + 2), source: DraftSources(.context))
            }
            return tree
        }
        return tree
    }
}
