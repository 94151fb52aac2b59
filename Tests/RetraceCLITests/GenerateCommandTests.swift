import Foundation
import Testing
@testable import RetraceStats
import RetraceTestSupport

@Suite struct GenerateCommandTests {
    @Test func generatesJSONIngestsAndRecordsStatistics() throws {
        let dir = TemporaryDirectory()
        let code = try Fixtures.codeDirectory(in: dir)
        #expect(try runRetrace(["index", "build", "--out", dir.file("idx"), code]).status == 0)
        try #"{"id": 7, "category": "code", "prompt": "Write a Python function add(a, b) that returns a + b."}"#
            .appending("\n").appending(#"{"id": "second", "prompt": "Say hello."}"#)
            .write(toFile: dir.file("p.jsonl"), atomically: true, encoding: .utf8)
        var outputs: [[String: Any]] = []
        for flags in [["--no-speculate"], []] {
            let r = try runRetrace(["generate", "--index", dir.file("idx"), "--prompts", dir.file("p.jsonl"), "--max-tokens", "24",
                                    "--json", "--stats", dir.file("s.sqlite"), "--no-ingest"] + flags)
            #expect(r.status == 0, "\(r.output)")
            let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(lines.count == 2)
            #expect(lines.map { $0["id"] as? String } == ["7", "second"])
            for key in ["output_tokens", "output_text", "tokens_per_second", "steps", "mat"] { #expect(lines[0][key] != nil, "\(key)") }
            outputs.append(contentsOf: lines)
        }
        #expect(outputs[0]["output_tokens"] as? [Int] == outputs[2]["output_tokens"] as? [Int])
        #expect(outputs[1]["output_tokens"] as? [Int] == outputs[3]["output_tokens"] as? [Int])
        let stats = try runRetrace(["stats", dir.file("s.sqlite"), "--json"])
        #expect(stats.stdout.contains("\"sessions\" : 4"), "\(stats.output)")
        // The speculative run left what its drafter learned for the next run, per model and index.
        let store = try StatsStore(path: dir.file("s.sqlite"))
        let scopes = try store.calibrationScopes()
        #expect(scopes.count == 1 && scopes[0].hasSuffix(dir.file("idx")), "\(scopes)")
        let learned = try store.loadCalibration(scope: scopes.first ?? "")
        #expect(!learned.isEmpty && learned.allSatisfy { $0.tries > 0 && $0.hits <= $0.tries })
        let agreement = try store.loadAgreementCalibration(scope: scopes[0])
        #expect(!agreement.isEmpty && agreement.allSatisfy { $0.tries > 0 && $0.hits <= $0.tries }, "\(agreement)")
        // Cells this version cannot place (unknown sources, buckets out of range) are skipped
        // and not written back.
        let bogus = [AgreementRecord(sources: "context+oracle", estimateBucket: 1, depthBucket: 0, hits: 1, tries: 2),
                     AgreementRecord(sources: "context", estimateBucket: 42, depthBucket: 0, hits: 1, tries: 2),
                     AgreementRecord(sources: "", estimateBucket: 1, depthBucket: 0, hits: 1, tries: 2)]
        try store.saveCalibration(learned, agreement: agreement + bogus, scope: scopes[0])
        let again = try runRetrace(["generate", "--index", dir.file("idx"), "--prompt", "Say hello.", "--max-tokens", "8",
                                    "--stats", dir.file("s.sqlite"), "--no-ingest"])
        #expect(again.status == 0, "\(again.output)")
        let relearned = try store.loadAgreementCalibration(scope: scopes[0])
        #expect(!relearned.isEmpty)
        #expect(!relearned.contains { $0.sources == "context+oracle" || $0.sources.isEmpty
                                      || ($0.sources == "context" && $0.estimateBucket == 42) }, "\(relearned)")
        // An unreadable agreement table costs only itself: the sources' cells are still loaded
        // (and written back), and the agreement cells are rewritten readable.
        var heavy = try store.loadCalibration(scope: scopes[0])
        heavy[0].hits = 500
        heavy[0].tries = 1000
        try store.saveCalibration(heavy, agreement: relearned, scope: scopes[0])
        try store.pool.write { db in try db.execute(sql: "UPDATE agreementCalibration SET tries = 'many'") }
        let damaged = try runRetrace(["generate", "--index", dir.file("idx"), "--prompt", "Say hello.", "--max-tokens", "8",
                                      "--stats", dir.file("s.sqlite"), "--no-ingest"])
        #expect(damaged.status == 0 && damaged.stderr.contains("unreadable"), "\(damaged.output)")
        let kept = try store.loadCalibration(scope: scopes[0]).first {
            $0.source == heavy[0].source && $0.matchBucket == heavy[0].matchBucket && $0.depthBucket == heavy[0].depthBucket
                && $0.evidence == heavy[0].evidence
        }
        #expect((kept?.tries ?? 0) > 900, "\(String(describing: kept))")
        #expect(!(try store.loadAgreementCalibration(scope: scopes[0])).isEmpty)
        // Without --no-ingest the output goes into the dynamic store, and the drafter's n-gram
        // tries (global, and the tenant's) into the index.
        let r = try runRetrace(["generate", "--index", dir.file("idx"), "--prompt", "Say hello.", "--max-tokens", "8",
                                "--stats", dir.file("s.sqlite"), "--tenant", "alice"])
        #expect(r.status == 0, "\(r.output)")
        let info = try runRetrace(["index", "info", dir.file("idx")]).stdout
        #expect(info.contains("dynamic     8 tokens in 1 documents"))
        #expect(info.contains("tries       global") && info.contains("tenant:alice"), "\(info)")
        #expect(try runRetrace(["generate", "--prompt", "Hi", "--tenant", ""]).status != 0)
    }

    @Test func badInputsGetClearErrors() throws {
        let dir = TemporaryDirectory()
        func expectFailure(_ arguments: [String], mentions phrase: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try runRetrace(["generate", "--stats", dir.file("s.sqlite"), "--index", "none"] + arguments)
            #expect(r.status != 0 && r.status < 128, "\(arguments): \(r.output)", sourceLocation: sourceLocation)
            #expect(r.stderr.localizedCaseInsensitiveContains(phrase), "\(arguments): \(r.output)", sourceLocation: sourceLocation)
        }
        try expectFailure(["--prompt", "hi", "--model", dir.file("missing.gguf")], mentions: "model file not found")
        try Data("GGUF but not really".utf8).write(to: URL(fileURLWithPath: dir.file("bad.gguf")))
        try expectFailure(["--prompt", "hi", "--model", dir.file("bad.gguf")], mentions: "cannot load model")
        try expectFailure(["--prompt", ""], mentions: "empty")
        try expectFailure(["--prompt", "hi", "--max-tokens", "0"], mentions: "--max-tokens")
        try expectFailure(["--prompt", String(repeating: "word ", count: 400), "--context", "256"], mentions: "context window")
        try expectFailure(["--prompt", "hi", "--max-tokens", "9223372036854775807"], mentions: "context window")
        try "{\"id\": 1, \"prompt\": \"ok\"}\nnot json\n".write(toFile: dir.file("p.jsonl"), atomically: true, encoding: .utf8)
        try expectFailure(["--prompts", dir.file("p.jsonl")], mentions: "p.jsonl:2")
        try "{\"id\": 1}\n".write(toFile: dir.file("q.jsonl"), atomically: true, encoding: .utf8)
        try expectFailure(["--prompts", dir.file("q.jsonl")], mentions: "no \"prompt\"")
        try Fixtures.pretokenizedIndex([[1, 2, 3]], at: dir.file("foreign"), in: dir)
        let r = try runRetrace(["generate", "--stats", dir.file("s.sqlite"), "--index", dir.file("foreign"), "--prompt", "hi"])
        #expect(r.status != 0 && r.stderr.contains("tokenizer"), "\(r.output)")
        // A statistics file that is not SQLite: a clear error, and the file is left as it was.
        let junk = Data(repeating: 0x42, count: 4096)
        try junk.write(to: URL(fileURLWithPath: dir.file("junk.sqlite")))
        let s = try runRetrace(["generate", "--stats", dir.file("junk.sqlite"), "--index", "none", "--prompt", "hi"])
        #expect(s.status != 0 && s.status < 128 && s.stderr.contains("not a usable Retrace statistics database"), "\(s.output)")
        #expect(FileManager.default.contents(atPath: dir.file("junk.sqlite")) == junk)
    }

    /// Streamed text is the JSON output's text, characters split over several tokens included.
    @Test func streamsWholeCharacters() throws {
        let dir = TemporaryDirectory()
        let arguments = ["generate", "--index", "none", "--stats", dir.file("s.sqlite"), "--no-ingest", "--max-tokens", "48",
                         "--prompt", "Write the word 'hello' in Japanese, Chinese, Russian and Greek, and add three emoji."]
        let streamed = try runRetrace(arguments)
        let json = try runRetrace(arguments + ["--json"])
        #expect(streamed.status == 0 && json.status == 0, "\(streamed.output)\n\(json.output)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let text = try #require(object?["output_text"] as? String)
        #expect(text.unicodeScalars.contains { $0.properties.isEmojiPresentation }, "the output has no emoji to split: \(text)")
        #expect(streamed.stdout == text + "\n", "\(streamed.stdout)")
    }

    /// Gemma-3-270M, a base model without a chat template, as the target: a chat prompt gets an
    /// error naming --raw-prompt, a raw one generates, and an index of SmolLM2's tokens is refused.
    @Test func baseModelTakesRawPrompts() throws {
        let dir = TemporaryDirectory()
        let gemma = ["generate", "--model", TestPaths.retraceHome + "/models/gemma-3-270m-q4_k_m.gguf",
                     "--stats", dir.file("s.sqlite"), "--no-ingest", "--max-tokens", "8", "--json"]
        let chat = try runRetrace(gemma + ["--index", "none", "--prompt", "The capital of France is"])
        #expect(chat.status != 0 && chat.status < 128 && chat.stderr.contains("--raw-prompt"), "\(chat.output)")
        let raw = try runRetrace(gemma + ["--index", "none", "--prompt", "The capital of France is", "--raw-prompt"])
        #expect(raw.status == 0, "\(raw.output)")
        let result = try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as? [String: Any]
        #expect((result?["output_tokens"] as? [Int])?.count == 8, "\(raw.output)")
        let code = try Fixtures.codeDirectory(in: dir)
        #expect(try runRetrace(["index", "build", "--out", dir.file("smollm2"), code]).status == 0)
        let foreign = try runRetrace(gemma + ["--index", dir.file("smollm2"), "--prompt", "def", "--raw-prompt"])
        #expect(foreign.status != 0 && foreign.status < 128 && foreign.stderr.contains("tokenizer"), "\(foreign.output)")
    }
}
