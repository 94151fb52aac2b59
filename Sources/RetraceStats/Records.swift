public import Foundation

/// One decoding session: a generation run against one model and index.
public struct SessionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var tenant: String
    public var modelFingerprint: String
    public var index: String
    /// The session's configuration, as JSON text.
    public var configuration: String
    public var startedAt: Date
    public var endedAt: Date?

    public init(id: String = UUID().uuidString, tenant: String = "default", modelFingerprint: String, index: String,
                configuration: String = "{}", startedAt: Date = Date(), endedAt: Date? = nil) {
        self.id = id
        self.tenant = tenant
        self.modelFingerprint = modelFingerprint
        self.index = index
        self.configuration = configuration
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// One verification step of a session.
public struct StepRecord: Codable, Sendable, Equatable {
    public var sessionID: String
    public var number: Int
    /// Nodes in the draft tree that was verified.
    public var proposedNodes: Int
    /// Tokens the step emitted: the accepted path plus the bonus token.
    public var acceptedTokens: Int
    /// Accepted draft tokens credited to each source that proposed them.
    public var acceptedBySource: [String: Int]
    public var draftMicroseconds: Int
    public var verifyMicroseconds: Int

    public init(sessionID: String, number: Int, proposedNodes: Int, acceptedTokens: Int,
                acceptedBySource: [String: Int] = [:], draftMicroseconds: Int, verifyMicroseconds: Int) {
        self.sessionID = sessionID
        self.number = number
        self.proposedNodes = proposedNodes
        self.acceptedTokens = acceptedTokens
        self.acceptedBySource = acceptedBySource
        self.draftMicroseconds = draftMicroseconds
        self.verifyMicroseconds = verifyMicroseconds
    }
}

/// One cell of a drafter's learned source calibration: hits and tries of a draft source at a
/// match-length bucket, depth bucket and agreement level.
public struct CalibrationRecord: Codable, Sendable, Equatable {
    public var source: String
    public var matchBucket: Int
    public var depthBucket: Int
    public var evidence: Int
    public var hits: Double
    public var tries: Double

    public init(source: String, matchBucket: Int, depthBucket: Int, evidence: Int, hits: Double, tries: Double) {
        self.source = source
        self.matchBucket = matchBucket
        self.depthBucket = depthBucket
        self.evidence = evidence
        self.hits = hits
        self.tries = tries
    }
}

/// One cell of a drafter's agreement calibration: hits and tries of the drafted tokens that a
/// set of sources (names joined by "+", as "context+trie") proposed together, at a tenth of
/// their combined estimate and a depth bucket.
public struct AgreementRecord: Codable, Sendable, Equatable {
    public var sources: String
    public var estimateBucket: Int
    public var depthBucket: Int
    public var hits: Double
    public var tries: Double

    public init(sources: String, estimateBucket: Int, depthBucket: Int, hits: Double, tries: Double) {
        self.sources = sources
        self.estimateBucket = estimateBucket
        self.depthBucket = depthBucket
        self.hits = hits
        self.tries = tries
    }
}
