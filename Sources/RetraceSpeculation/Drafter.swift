public import RetraceCore

/// Proposes draft trees for a generation and learns from how they fared.
public protocol Drafter {
    /// Starts a session on `prompt` (the full prompt, as the target sees it).
    mutating func start(prompt: [TokenID])
    /// A tree continuing everything committed so far.
    mutating func draft() throws -> DraftTree
    /// How the last tree fared.
    mutating func learn(from tree: DraftTree, result: VerificationResult)
    /// Tokens committed by a step (the accepted path and the bonus token).
    mutating func commit(_ tokens: [TokenID])
}
