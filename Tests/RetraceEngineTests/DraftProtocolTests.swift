import Foundation
import Testing
import RetraceCore
import RetraceTestSupport
@testable import RetraceEngine
@testable import RetraceSpeculation

/// `retrace draft --stdio` must give exactly the trees the library gives, and answer bad lines
/// with errors while it keeps serving.
@Suite struct DraftProtocolTests {
    struct Response: Decodable { var tokens: [UInt32]?; var parents: [Int]?; var scores: [Double]?; var ok: Bool?; var accepted: Int?; var error: String? }

    /// Replays recorded generations through a library drafter, producing the request lines a
    /// host would send and the library's own trees.
    func script(traces: [SharedPrompts.Trace], budget: Int) throws -> (requests: [String], trees: [DraftTree]) {
        var drafter = RetrievalDrafter(index: nil)
        var trees: [DraftTree] = []
        for trace in traces {
            _ = try TraceReplay.run(drafter: &drafter, prompt: trace.promptTokens, truth: Array(trace.outputTokens.prefix(64)),
                                    plan: { tree, _, _ in
                let pruned = tree.pruned(to: budget)
                trees.append(pruned)
                return pruned
            })
        }
        // The requests a host sends for the same replay: draft, then accept what was verified.
        var rebuilt: [String] = []
        var treeIndex = 0
        for trace in traces {
            rebuilt.append(#"{"op":"start","prompt":\#(trace.promptTokens)}"#)
            var done = 0
            let truth = Array(trace.outputTokens.prefix(64))
            while done < truth.count {
                let tree = trees[treeIndex]
                treeIndex += 1
                rebuilt.append(#"{"op":"draft","budget":\#(budget)}"#)
                let verdict = GreedyVerifier.verify(tree, predictions: TraceReplay.predictions(for: tree, truth: truth[done...]))
                let committed = verdict.tokens.filter { $0 != TraceReplay.endOfRecording }
                rebuilt.append(#"{"op":"accept","tokens":\#(committed)}"#)
                done += committed.count
            }
            rebuilt.append(#"{"op":"end"}"#)
        }
        return (rebuilt, trees)
    }

    @Test func protocolGivesTheLibrarysTrees() throws {
        let traces = Array(try SharedPrompts.traces().prefix(4))
        let (requests, trees) = try script(traces: traces, budget: 16)
        let input = Data((requests.joined(separator: "\n") + "\n").utf8)
        let r = try runRetrace(["draft", "--stdio", "--index", "none"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let responses = try r.stdout.split(separator: "\n").map { try JSONDecoder().decode(Response.self, from: Data($0.utf8)) }
        #expect(responses.count == requests.count)
        let drafts = zip(requests, responses).filter { $0.0.contains(#""draft""#) }.map(\.1)
        #expect(drafts.count == trees.count)
        var nonEmpty = 0
        for (response, tree) in zip(drafts, trees) {
            #expect(response.tokens == tree.tokens)
            #expect(response.parents == tree.parents)
            #expect(response.scores?.count == tree.count)
            for (a, b) in zip(response.scores ?? [], tree.scores) { #expect(abs(a - b) <= 1e-5 * max(1, b)) }
            if !tree.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > trees.count / 4, "the replay should draft on many steps")
        #expect(responses.allSatisfy { $0.error == nil })
    }

    @Test func badLinesGetErrorsAndTheSessionGoesOn() throws {
        let lines = [
            #"{"op":"draft","budget":4}"#,                 // before start
            "not json",
            #"{"op":"fly"}"#,
            #"{"op":"start","prompt":[1,2,3,1,2]}"#,
            #"{"op":"start","prompt":[1,99999999]}"#,     // out of vocabulary
            #"{"op":"start","prompt":[-1]}"#,
            #"{"op":"draft","budget":1000000000000}"#,
            #"{"op":"draft"}"#,
            #"{"op":"accept","tokens":[]}"#,
            #"{"op":"draft","budget":4}"#,                 // still serving: a real answer
            #"{"op":"accept","tokens":[3,7]}"#,
            #"{"op":"draft","budget":1e300}"#,             // fields of the wrong type or range
            #"{"op":"draft","budget":"8"}"#,
            #"{"op":"accept","tokens":[1.5]}"#,
            #"{"op":null}"#,
            #"{"op":"end"}"#,
        ]
        let r = try runRetrace(["draft", "--stdio", "--index", "none"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let responses = try r.stdout.split(separator: "\n").map { try JSONDecoder().decode(Response.self, from: Data($0.utf8)) }
        #expect(responses.count == lines.count)
        let errors = responses.map { $0.error != nil }
        #expect(errors == [true, true, true, false, true, true, true, true, true, false, false, true, true, true, true, false])
        #expect(responses[0].error?.contains("start") == true)
        #expect(responses[2].error?.contains("unknown op") == true)
        #expect(responses[4].error?.contains("outside the vocabulary") == true)
        // "1 2" occurred before, followed by "3 1 2": that chain leads the tree.
        #expect(responses[9].tokens?.prefix(3) == [3, 1, 2] && responses[9].parents?.prefix(3) == [-1, 0, 1])
        #expect(responses[10].accepted == 1)
        #expect(responses[11].error?.contains("budget 1e+300 is outside 1...") == true, "\(responses[11])")
        #expect(responses[12].error?.contains(#""budget" must be a whole number"#) == true, "\(responses[12])")
        #expect(responses[13].error?.contains("token id 1.5 is not a whole number") == true, "\(responses[13])")
        #expect(responses[14].error?.contains(#""op" must be a string"#) == true, "\(responses[14])")
    }

    @Test func committedTokensBecomeTheVerifiersVerdict() {
        var tree = DraftTree()
        tree.insert(path: [5, 6, 7], scores: [0.9, 0.8, 0.7], source: DraftSources(.context))
        tree.insert(path: [5, 9], scores: [0.9, 0.3], source: DraftSources(.index))
        let result = VerificationResult(committed: [5, 9, 4], on: tree)
        #expect(result.acceptedNodes == [0, 3])
        #expect(result.creditedSources == [.context: 1, .index: 2])
        // The bonus token is never taken as a tree node, even when a child carries it.
        #expect(VerificationResult(committed: [5, 6], on: tree).acceptedNodes == [0])
    }
}
