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

    public init(maxTokens: Int = 128, speculate: Bool = true, maxBatch: Int = 48, stopAtEndOfGeneration: Bool = true) {
        self.maxTokens = maxTokens
        self.speculate = speculate
        self.maxBatch = maxBatch
        self.stopAtEndOfGeneration = stopAtEndOfGeneration
    }
}
