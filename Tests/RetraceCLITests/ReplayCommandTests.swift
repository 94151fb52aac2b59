import Foundation
import Testing
import RetraceTestSupport

/// `retrace bench replay` on small traces: every drafter line, the past-generations pass on a
/// copy of the index (the index itself untouched), and clear errors for bad trace files.
@Suite struct ReplayCommandTests {
    /// Two traces whose outputs repeat a phrase from their prompts, so context lookup hits.
    func writeTraces(at path: String) throws {
        let phrase: [UInt32] = [500, 501, 502, 503, 504, 505]
        let lines = [
            #"{"id":"a","category":"copy","prompt_tokens":\#([1, 2] + phrase + [3]),"output_tokens":\#(phrase + [7] + phrase)}"#,
            #"{"id":"b","category":"copy","prompt_tokens":\#([4] + phrase),"output_tokens":\#([9] + phrase + phrase)}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func reportsEveryDrafterAndPastGenerations() throws {
        let dir = TemporaryDirectory()
        try writeTraces(at: dir.file("t.jsonl"))
        try Fixtures.tokenLines([[500, 501, 502, 503, 504, 505, 506], [10, 11, 12]], at: dir.file("corpus.jsonl"))
        let build = try runRetrace(["index", "build", "--pretokenized", "--out", dir.file("idx"), dir.file("corpus.jsonl")])
        #expect(build.status == 0, "\(build.output)")
        let r = try runRetrace(["bench", "replay", "--traces", dir.file("t.jsonl"), "--index", dir.file("idx"),
                                "--budget", "4,8", "--past-generations"])
        #expect(r.status == 0, "\(r.output)")
        for drafter in ["prompt lookup", "context", "index", "fused", "fused, sized", "fused, picked", "oracle", "oracle, match"] {
            #expect(r.stdout.contains("  \(drafter) "), "missing \(drafter): \(r.stdout)")
        }
        #expect(r.stdout.contains("budget 4 · copy") && r.stdout.contains("budget 8 · all"))
        #expect(r.stdout.contains("past generations"))
        let info = try runRetrace(["index", "info", dir.file("idx")])
        #expect(info.stdout.contains("dynamic     0 tokens"), "the replay must not write into the index: \(info.stdout)")
    }

    /// The oracle takes any stored span of the true continuation; the matching oracle only one
    /// that follows an occurrence of the last committed token. Trace "a": the oracle copies the
    /// phrase (plus the bonus 7), then the phrase again: 2 steps. The matching oracle finds
    /// nothing after the prompt's last token 3 or after 7 (one token each), and copies after
    /// 500 twice: 4 steps.
    @Test func theMatchingOracleOnlyContinuesMatches() throws {
        let dir = TemporaryDirectory()
        try writeTraces(at: dir.file("t.jsonl"))
        let r = try runRetrace(["bench", "replay", "--traces", dir.file("t.jsonl"), "--index", "none", "--budget", "16",
                                "--categories", "copy", "--json"])
        #expect(r.status == 0, "\(r.output)")
        struct Report: Decodable { struct Line: Decodable { var drafter: String; var steps: Int; var tokens: Int }; var lines: [Line] }
        struct Full: Decodable { var reports: [Report] }
        let lines = try JSONDecoder().decode(Full.self, from: Data(r.stdout.utf8)).reports[0].lines
        let steps = Dictionary(uniqueKeysWithValues: lines.map { ($0.drafter, $0.steps) })
        // Trace "b": the oracle takes 9 alone, then the phrase and a bonus 500, then the rest:
        // 3 steps; the matching oracle takes 9 and 500 alone (nothing follows the prompt's last
        // 505 or the new 9), then copies after 500 twice: 4 steps.
        #expect(steps["oracle"] == 2 + 3, "\(lines)")
        #expect(steps["oracle, match"] == 4 + 4, "\(lines)")
    }

    /// `--target-feedback` runs the model over the traces first; a trace past the model's
    /// trained context is refused before any replay.
    @Test func targetFeedbackRunsTheModelOverTheTraces() throws {
        let dir = TemporaryDirectory()
        try writeTraces(at: dir.file("t.jsonl"))
        var r = try runRetrace(["bench", "replay", "--traces", dir.file("t.jsonl"), "--index", "none", "--budget", "8",
                                "--target-feedback", "--json"])
        #expect(r.status == 0 && r.stderr.contains("target over the traces"), "\(r.output)")
        #expect(r.stdout.contains("\"drafter\" : \"recycled\""), "\(r.stdout)")
        let long = [UInt32](repeating: 500, count: 9000)
        try #"{"id":"x","category":"c","prompt_tokens":\#(long),"output_tokens":[1]}"#
            .write(toFile: dir.file("long.jsonl"), atomically: true, encoding: .utf8)
        r = try runRetrace(["bench", "replay", "--traces", dir.file("long.jsonl"), "--index", "none", "--target-feedback"])
        #expect(r.status == 1 && r.stderr.contains("trained context"), "\(r.output)")
    }

    @Test func badTraceFilesGetClearErrors() throws {
        let dir = TemporaryDirectory()
        try "{\"id\":\"a\",\"category\":\"c\",\"prompt_tokens\":[1],\"output_tokens\":[2]}\nnot json\n"
            .write(toFile: dir.file("bad.jsonl"), atomically: true, encoding: .utf8)
        var r = try runRetrace(["bench", "replay", "--traces", dir.file("bad.jsonl"), "--index", "none"])
        #expect(r.status == 1 && r.stderr.contains("bad.jsonl:2"), "\(r.output)")
        try "{\"id\":\"a\",\"category\":\"c\",\"prompt_tokens\":[1],\"output_tokens\":[99999999]}\n"
            .write(toFile: dir.file("oov.jsonl"), atomically: true, encoding: .utf8)
        r = try runRetrace(["bench", "replay", "--traces", dir.file("oov.jsonl"), "--index", "none"])
        #expect(r.status == 1 && r.stderr.contains("outside the vocabulary"), "\(r.output)")
        r = try runRetrace(["bench", "replay", "--traces", dir.file("missing.jsonl"), "--index", "none"])
        #expect(r.status == 1 && r.stderr.contains("cannot read"), "\(r.output)")
        r = try runRetrace(["bench", "replay", "--traces", dir.file("oov.jsonl"), "--index", "none", "--budget", "0"])
        #expect(r.status != 0 && r.status < 128 && r.stderr.contains("--budget"), "\(r.output)")
    }
}
