public import Foundation
public import RetraceCore

/// What an index records about itself, stored as JSON under `meta/metadata`.
public struct IndexMetadata: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case building, complete }

    /// Parameters the index was built with, for `info` and for reproducing it.
    public struct BuildParameters: Codable, Sendable, Equatable {
        public var inputs: [String]
        public var pretokenized: Bool
        public var retraceVersion: String
        public init(inputs: [String], pretokenized: Bool, retraceVersion: String) {
            self.inputs = inputs
            self.pretokenized = pretokenized
            self.retraceVersion = retraceVersion
        }
    }

    public var formatVersion: Int
    public var state: State
    public var tokenizer: TokenizerIdentity
    /// Tokens in the static store (boundaries not counted).
    public var tokenCount: Int
    /// Documents in the static store.
    public var documentCount: Int
    /// Symbols in the static store: tokens plus one boundary per document.
    public var symbolCount: Int
    public var build: BuildParameters
    public var createdAt: Date
    /// Checksums of the stored static values, checked by `verify --full`.
    public var symbolsChecksum: String
    public var suffixArrayChecksum: String

    public init(formatVersion: Int, state: State, tokenizer: TokenizerIdentity, tokenCount: Int,
                documentCount: Int, symbolCount: Int, build: BuildParameters, createdAt: Date,
                symbolsChecksum: String, suffixArrayChecksum: String) {
        self.formatVersion = formatVersion
        self.state = state
        self.tokenizer = tokenizer
        self.tokenCount = tokenCount
        self.documentCount = documentCount
        self.symbolCount = symbolCount
        self.build = build
        self.createdAt = createdAt
        self.symbolsChecksum = symbolsChecksum
        self.suffixArrayChecksum = suffixArrayChecksum
    }
}
