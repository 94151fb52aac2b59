import Foundation
import Testing
import RetraceStats
import RetraceTestSupport

@Suite struct IndexCommandTests {
    @Test func buildInfoVerifyAndQueryText() throws {
        let dir = TemporaryDirectory()
        let code = try Fixtures.codeDirectory(in: dir)
        let index = dir.file("idx")
        let built = try runRetrace(["index", "build", "--out", index, code])
        #expect(built.status == 0, "\(built.output)")
        #expect(built.stderr.contains("tokenizing"))

        let info = try runRetrace(["index", "info", index, "--json"])
        #expect(info.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as! [String: Any]
        let metadata = json["metadata"] as! [String: Any]
        #expect(metadata["documentCount"] as? Int == 3)
        #expect((metadata["tokenCount"] as? Int ?? 0) > 20)
        #expect((json["bytesPerStaticToken"] as? Double ?? 0) > 0)

        let verify = try runRetrace(["index", "verify", index, "--full"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.stdout.contains("is valid"))

        let query = try runRetrace(["index", "query", index, "--text", "def add(a, b):", "--json", "--length", "5"])
        #expect(query.status == 0, "\(query.output)")
        let answer = try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as! [String: Any]
        #expect((answer["matchLength"] as? Int ?? 0) >= 5)
        #expect(answer["staticOccurrences"] as? Int == 2)
        let top = (answer["continuations"] as! [[String: Any]]).first
        #expect(top?["count"] as? Int == 2)
        let text = top?["text"] as? String ?? ""
        #expect(text.hasPrefix("\n    return a + b"), "\(text)")
    }

    @Test func readsJSONLStandardInputAndPretokenizedInput() throws {
        let dir = TemporaryDirectory()
        let jsonl = dir.file("chat.jsonl")
        try #"{"content": "The cat sat on the mat."}"#.appending("\n").appending(#"{"content": "The cat sat on the hat."}"#)
            .write(toFile: jsonl, atomically: true, encoding: .utf8)
        var r = try runRetrace(["index", "build", "--text-field", "content", "--out", dir.file("a"), jsonl])
        #expect(r.status == 0, "\(r.output)")
        r = try runRetrace(["index", "info", dir.file("a")])
        #expect(r.stdout.contains("in 2 documents"))

        r = try runRetrace(["index", "build", "--out", dir.file("b"), "-"], stdin: Data("Some text from a pipe.".utf8))
        #expect(r.status == 0, "\(r.output)")

        let docs = Fixtures.numberedDocuments(5) + [[70_000 - 10_001, 5, 6]]
        try Fixtures.tokenLines(docs, at: dir.file("ids.jsonl"))
        try Fixtures.rawStream(docs, at: dir.file("ids.u32"))
        for (name, input) in [("c", dir.file("ids.jsonl")), ("d", dir.file("ids.u32"))] {
            r = try runRetrace(["index", "build", "--pretokenized", "--vocab-size", "60000", "--tokenizer-name", "t",
                                "--out", dir.file(name), input])
            #expect(r.status == 0, "\(r.output)")
            r = try runRetrace(["index", "query", dir.file(name), "--tokens", "1002,2002", "--json"])
            #expect(r.stdout.contains("3002"), "\(r.output)")
        }
    }

    @Test func statsCommandReportsAndRejectsMissingDatabases() throws {
        let dir = TemporaryDirectory()
        let store = try StatsStore(path: dir.file("stats.sqlite"))
        try store.start(SessionRecord(id: "s1", modelFingerprint: "fp", index: "indexes/default"))
        try store.insert((0..<10).map { i in
            StepRecord(sessionID: "s1", number: i, proposedNodes: 4, acceptedTokens: i % 2 == 0 ? 3 : 1,
                       acceptedBySource: i % 2 == 0 ? ["index": 2] : [:], draftMicroseconds: 10 * (i + 1), verifyMicroseconds: 500)
        })
        var r = try runRetrace(["stats", dir.file("stats.sqlite")])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("MAT          2.000"), "\(r.output)")
        #expect(r.stdout.contains("source index"), "\(r.output)")
        r = try runRetrace(["stats", dir.file("stats.sqlite"), "--session", "s1", "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let report = json["report"] as! [String: Any]
        #expect(report["steps"] as? Int == 10)
        #expect((report["draftMicroseconds"] as! [String: Any])["p90"] as? Int == 90)
        r = try runRetrace(["stats", dir.file("stats.sqlite"), "--session", "nope"])
        #expect(r.status != 0 && r.stderr.contains("no session"))

        r = try runRetrace(["stats", dir.file("none.sqlite")])
        #expect(r.status != 0 && r.stderr.contains("no statistics database"))
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: dir.file("junk.sqlite")))
        r = try runRetrace(["stats", dir.file("junk.sqlite")])
        #expect(r.status != 0 && r.stderr.contains("not a usable Retrace statistics database"), "\(r.output)")
    }

    @Test func demoBuildsTheDefaultIndexAndComparesPlainWithSpeculative() throws {
        let dir = TemporaryDirectory()
        let r = try runRetrace(["demo", "--index", dir.file("default"), "--max-tokens", "32", "--stats", dir.file("stats.sqlite")])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("static"))
        let rows = r.stdout.split(separator: "\n").filter { ["code", "summary", "qa", "chat"].contains($0.split(separator: " ").first ?? "") }
        #expect(rows.count == 4, "\(r.stdout)")
        #expect(rows.allSatisfy { $0.hasSuffix("yes") }, "\(r.stdout)")
        #expect(r.stdout.contains("total"))
        let verify = try runRetrace(["index", "verify", dir.file("default")])
        #expect(verify.status == 0, "\(verify.output)")
        let stats = try runRetrace(["stats", dir.file("stats.sqlite"), "--json"])
        // Two rounds per prompt by default: one session per speculative run.
        #expect(stats.status == 0 && stats.stdout.contains("\"sessions\" : 8"), "\(stats.output)")
    }
}
