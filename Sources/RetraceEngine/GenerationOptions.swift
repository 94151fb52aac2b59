/// How to generate.
public struct GenerationOptions: Sendable, Equatable {
    public var maxTokens: Int
    /// Draft and verify trees; off gives plain greedy decoding through the same code path.
    public var speculate: Bool
    /// Largest batch of a verification step (pending tokens plus tree). Kept under 64: at 64
    /// and more llama.cpp's CPU attention switches to a tiled kernel whose rounding differs
    /// from single-token decoding.
    public var maxBatch: Int
    /// Stop at the model's end-of-generation token (off for long soak runs).
    public var stopAtEndOfGeneration: Bool
    /// The target's top tokens read at every verified position for the drafter (the first is
    /// the greedy choice; the others feed Token Recycling).
    public var topTokens: Int

    public init(maxTokens: Int = 128, speculate: Bool = true, maxBatch: Int = 48, stopAtEndOfGeneration: Bool = true,
                topTokens: Int = 8) {
        self.maxTokens = maxTokens
        self.speculate = speculate
        self.maxBatch = maxBatch
        self.stopAtEndOfGeneration = stopAtEndOfGeneration
        self.topTokens = max(1, topTokens)
    }
}
