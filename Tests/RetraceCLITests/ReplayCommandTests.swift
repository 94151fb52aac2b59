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
        for drafter in ["prompt lookup", "context", "index", "fused", "fused, sized", "oracle"] {
            #expect(r.stdout.contains("  \(drafter) "), "missing \(drafter): \(r.stdout)")
        }
        #expect(r.stdout.contains("budget 4 · copy") && r.stdout.contains("budget 8 · all"))
        #expect(r.stdout.contains("past generations"))
        let info = try runRetrace(["index", "info", dir.file("idx")])
        #expect(info.stdout.contains("dynamic     0 tokens"), "the replay must not write into the index: \(info.stdout)")
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
