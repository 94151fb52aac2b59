public import RetraceCore

/// What one generation produced and what it cost.
public struct GenerationResult: Sendable, Codable, Equatable {
    public enum Stop: String, Sendable, Codable { case endOfGeneration = "eos", maxTokens = "max_tokens" }

    public var promptTokens: Int
    /// Generated tokens (an end-of-generation token, when reached, is the last one).
    public var tokens: [TokenID]
    public var stop: Stop
    /// Verification steps (decodes after the prompt).
    public var steps: Int
    /// Draft nodes verified, over all steps.
    public var proposedNodes: Int
    /// Accepted draft tokens per source.
    public var acceptedBySource: [String: Int]
    public var promptSeconds: Double
    public var draftSeconds: Double
    public var verifySeconds: Double
    public var totalSeconds: Double

    /// Mean tokens emitted per step (plain decoding: 1).
    public var meanAcceptedTokens: Double { steps == 0 ? 0 : Double(tokens.count) / Double(steps) }
    /// Generated tokens per second, prompt processing excluded.
    public var tokensPerSecond: Double {
        let t = totalSeconds - promptSeconds
        return t > 0 ? Double(tokens.count) / t : 0
    }
    public var meanTreeSize: Double { steps == 0 ? 0 : Double(proposedNodes) / Double(steps) }
}
