/// Phases of an index build, reported to a progress callback.
public enum BuildPhase: String, Sendable {
    case tokenizing, storingTokens = "storing tokens", suffixArray = "suffix array", writing
}

/// Where an index build spent its time, in seconds, and what it produced.
public struct BuildReport: Sendable, Codable {
    public var tokens: Int
    public var documents: Int
    public var storeSeconds: Double = 0
    public var suffixArraySeconds: Double = 0
    public var writeSeconds: Double = 0
    /// Bytes of `data.mdb` once built.
    public var bytesOnDisk: Int = 0
}
