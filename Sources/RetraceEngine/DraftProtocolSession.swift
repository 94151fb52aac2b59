import Foundation
import RetraceCore
public import RetraceSpeculation

/// The host protocol of `retrace draft --stdio`: one JSON object per line in, one per line out,
/// so hosts in any language drive the same drafter the library uses.
///
/// - `{"op":"start","prompt":[ids]}` starts a generation → `{"ok":true}`
/// - `{"op":"draft","budget":N}` → `{"tokens":[…],"parents":[…],"scores":[…]}`: the drafter's
///   best `N` nodes, parents first; `parents[i]` is the index of node `i`'s parent, or -1 for a
///   child of the last committed token; `scores[i]` the estimated probability that the target
///   accepts the path to node `i`
/// - `{"op":"accept","tokens":[ids]}` commits the accepted path and the bonus token, and tells
///   the drafter how its last tree fared → `{"ok":true,"accepted":k}`
/// - `{"op":"end"}` ends the generation → `{"ok":true}`
///
/// Any bad line is answered with `{"error":"…"}` in its place, and the session goes on.
/// What the drafter learns carries from one generation to the next, as in the library.
public struct DraftProtocolSession {
    public var drafter: RetrievalDrafter
    public let vocabularySize: Int
    /// Largest accepted `budget`.
    public var maxBudget = 512
    /// Largest accepted prompt or commit, in tokens.
    public var maxTokens = 1 << 20
    private var started = false
    private var lastTree = DraftTree()

    public init(drafter: RetrievalDrafter, vocabularySize: Int) {
        self.drafter = drafter
        self.vocabularySize = vocabularySize
    }

    /// Numbers are read as doubles and checked here, so that 2.5 or 1e300 get an answer that
    /// names the field (exact for every whole number up to 2^53, far past any limit below).
    private struct Request: Decodable {
        var op: String
        var prompt: [Double]?
        var budget: Double?
        var tokens: [Double]?
    }

    struct ProtocolError: Error { var message: String }

    /// What a request field of the wrong type or range should have held.
    private static func wrongField(_ name: String) -> String {
        switch name {
        case "op": #""op" must be a string: start, draft, accept or end"#
        case "budget": #""budget" must be a whole number of nodes"#
        default: "\"\(name)\" must be a list of whole-number token ids"
        }
    }

    /// Answers one request line with one response line (no newline).
    public mutating func handle(_ line: some StringProtocol) -> String {
        do {
            return try respond(to: Data(line.utf8))
        } catch let error as ProtocolError {
            return Self.encode(["error": error.message])
        } catch {
            return Self.encode(["error": "\(error)"])
        }
    }

    private mutating func respond(to line: Data) throws -> String {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: line)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw ProtocolError(message: Self.wrongField(context.codingPath[0].stringValue))
        } catch {
            throw ProtocolError(message: "not a request: expected a JSON object with \"op\" (start, draft, accept, end)")
        }
        switch request.op {
        case "start":
            guard let prompt = request.prompt else { throw ProtocolError(message: "start needs \"prompt\": [token ids]") }
            let ids = try tokens(prompt, what: "prompt")
            guard !ids.isEmpty else { throw ProtocolError(message: "the prompt is empty") }
            drafter.start(prompt: ids)
            started = true
            lastTree = DraftTree()
            return #"{"ok":true}"#
        case "draft":
            try requireStarted()
            guard let budget = request.budget else { throw ProtocolError(message: "draft needs \"budget\": N") }
            guard budget.rounded() == budget else { throw ProtocolError(message: Self.wrongField("budget")) }
            guard (1...Double(maxBudget)).contains(budget) else {
                throw ProtocolError(message: "budget \(Self.format(budget)) is outside 1...\(maxBudget)")
            }
            lastTree = try drafter.draft().pruned(to: Int(budget))
            return Self.encode(tree: lastTree)
        case "accept":
            try requireStarted()
            guard let committed = request.tokens else { throw ProtocolError(message: "accept needs \"tokens\": [token ids]") }
            let ids = try tokens(committed, what: "accepted tokens")
            guard !ids.isEmpty else { throw ProtocolError(message: "accept needs at least the bonus token") }
            let result = VerificationResult(committed: ids, on: lastTree)
            drafter.learn(from: lastTree, result: result)
            drafter.commit(ids)
            lastTree = DraftTree()
            return #"{"ok":true,"accepted":\#(result.acceptedDraftTokens)}"#
        case "end":
            try requireStarted()
            started = false
            lastTree = DraftTree()
            return #"{"ok":true}"#
        default:
            throw ProtocolError(message: "unknown op \"\(request.op)\" (expected start, draft, accept or end)")
        }
    }

    private func requireStarted() throws {
        guard started else { throw ProtocolError(message: "no generation in progress: send start first") }
    }

    private func tokens(_ values: [Double], what: String) throws -> [TokenID] {
        guard values.count <= maxTokens else {
            throw ProtocolError(message: "\(what): \(values.count) tokens is more than the limit of \(maxTokens)")
        }
        return try values.map { v in
            guard v.rounded() == v else { throw ProtocolError(message: "\(what): token id \(Self.format(v)) is not a whole number") }
            guard v >= 0, v < Double(vocabularySize) else {
                throw ProtocolError(message: "\(what): token id \(Self.format(v)) is outside the vocabulary (size \(vocabularySize))")
            }
            return TokenID(v)
        }
    }

    /// A number as the client most likely wrote it: whole numbers without a fraction.
    private static func format(_ v: Double) -> String {
        v.rounded() == v && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    static func encode(tree: DraftTree) -> String {
        let scores = tree.scores.map { String(format: "%.6g", $0) }
        return #"{"tokens":[\#(tree.tokens.map(String.init).joined(separator: ","))],"#
            + #""parents":[\#(tree.parents.map(String.init).joined(separator: ","))],"#
            + #""scores":[\#(scores.joined(separator: ","))]}"#
    }

    static func encode(_ object: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(#"{"error":"unencodable"}"#.utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
