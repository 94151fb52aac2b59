/// Who made the token ids of an index: a fingerprint of the vocabulary and its size.
/// Two tokenizers with the same identity produce the same ids for the same text.
public struct TokenizerIdentity: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Stable hex digest of the whole vocabulary (every piece, in id order, and its kind).
    public var fingerprint: String
    /// Number of ids in the vocabulary; every stored id is below it.
    public var vocabularySize: Int
    /// A human-readable name (the model file name, or a host-given label).
    public var name: String

    public init(fingerprint: String, vocabularySize: Int, name: String) {
        self.fingerprint = fingerprint
        self.vocabularySize = vocabularySize
        self.name = name
    }

    /// An identity for hosts with their own tokenizer: the caller names it and its size.
    public static func external(name: String, vocabularySize: Int) -> TokenizerIdentity {
        var hasher = StableHasher()
        hasher.combine("external")
        hasher.combine(name)
        hasher.combine(UInt64(vocabularySize))
        return TokenizerIdentity(fingerprint: hasher.hexDigest, vocabularySize: vocabularySize, name: name)
    }

    /// Whether ids made by `other` mean the same as ids made by `self`.
    public func isCompatible(with other: TokenizerIdentity) -> Bool {
        fingerprint == other.fingerprint && vocabularySize == other.vocabularySize
    }

    public var description: String { "\(name) (vocabulary \(vocabularySize), fingerprint \(fingerprint))" }
}
