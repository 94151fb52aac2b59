import Foundation
import Testing
import RetraceTestSupport

/// `retrace rapid`: long-context jobs whose output is the target's own greedy output on the
/// full context, whatever drafts (document copies, drafter model) were used.
@Suite struct RapidCommandTests {
    static func results(_ path: String) throws -> [String: [String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [String: [String: Any]] = [:]
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            out[object["id"] as! String] = object
        }
        return out
    }

    /// Ready prompts from LongChat: ten topic-retrieval prompts (about 1k tokens) and one
    /// line-retrieval prompt (about 4.4k tokens).
    static func longChatJobs(at path: String) throws -> [String] {
        let text = try String(contentsOfFile: TestPaths.sharedData + "/longeval_longchat/prompts.jsonl", encoding: .utf8)
        let items = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let chosen = items.filter { $0["category"] as? String == "longeval_topics_1" }.prefix(10)
            + items.filter { $0["category"] as? String == "longeval_lines_200" }.prefix(1)
        let lines = try chosen.map { item -> String in
            String(decoding: try JSONSerialization.data(withJSONObject: ["id": item["id"]!, "prompt": item["prompt"]!]), as: UTF8.self)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return chosen.map { $0["id"] as! String }
    }

    @Test func outputsAreThoseOfPlainGreedyDecodingOnTheFullContext() throws {
        let dir = TemporaryDirectory()
        let ids = try Self.longChatJobs(at: dir.file("jobs.jsonl"))
        let common = ["rapid", "--jobs", dir.file("jobs.jsonl"), "--max-tokens", "48", "--stats", dir.file("s.sqlite")]
        let plain = try runRetrace(common + ["--out", dir.file("plain.jsonl"), "--no-speculate"])
        #expect(plain.status == 0, "\(plain.output)")
        let fast = try runRetrace(common + ["--out", dir.file("fast.jsonl")])
        #expect(fast.status == 0, "\(fast.output)")
        let a = try Self.results(dir.file("plain.jsonl")), b = try Self.results(dir.file("fast.jsonl"))
        #expect(a.count == ids.count && b.count == ids.count)
        var copied = 0
        for id in ids {
            let tokens = try #require(a[id]?["output_tokens"] as? [Int], "\(id): \(a[id] ?? [:])")
            #expect(!tokens.isEmpty)
            #expect(b[id]?["output_tokens"] as? [Int] == tokens, "\(id)")
            copied += (b[id]?["accepted_by_source"] as? [String: Int])?["context"] ?? 0
        }
        #expect(copied > 0, "the document should supply some drafts")
        // The drafter model reading a shortened context (forced: on this machine it cannot pay
        // back reading its prompt in 48 tokens), on three of the jobs.
        let three = try String(contentsOfFile: dir.file("jobs.jsonl"), encoding: .utf8).split(separator: "\n").prefix(3)
        try (three.joined(separator: "\n") + "\n").write(toFile: dir.file("three.jsonl"), atomically: true, encoding: .utf8)
        let model = try runRetrace(["rapid", "--jobs", dir.file("three.jsonl"), "--max-tokens", "48", "--stats", dir.file("s.sqlite"),
                                    "--out", dir.file("model.jsonl"), "--force-draft-model", "--context-budget", "256",
                                    "--rerank-every", "8"])
        #expect(model.status == 0, "\(model.output)")
        let c = try Self.results(dir.file("model.jsonl"))
        #expect(c.count == 3)
        for (id, result) in c {
            #expect(result["output_tokens"] as? [Int] == a[id]?["output_tokens"] as? [Int], "\(id)")
            #expect((result["draft_prompt_tokens"] as? Int ?? 0) > 0 && (result["drafter_model_drafts"] as? Int ?? 0) > 0)
            #expect(result["drafter_model_prompt_changes"] is Int && result["drafter_model_prompt_tokens_reread"] is Int)
            // The mode names the sources that could draft: no index was given.
            #expect(result["mode"] as? String == "context,trigram,recycled,trie,model", "\(result["mode"] ?? "")")
        }
        #expect(a.values.allSatisfy { $0["mode"] as? String == "plain" })
        // Resuming: everything is done, nothing runs again.
        let again = try runRetrace(common + ["--out", dir.file("fast.jsonl")])
        #expect(again.status == 0 && again.stderr.contains("\(ids.count) jobs already in"), "\(again.output)")
        #expect(try Self.results(dir.file("fast.jsonl")).count == ids.count)
    }

    @Test func badJobsAreReportedAndTheOthersDone() throws {
        let dir = TemporaryDirectory()
        let huge = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 2500)
        let lines = [
            #"{"id": "ok", "document": "Paris is the capital of France.", "instruction": "What is the capital of France?"}"#,
            "this is not json",
            #"{"id": "nodoc", "instruction": "Summarize."}"#,
            #"{"id": "ok", "prompt": "A duplicate id."}"#,
            String(decoding: try JSONSerialization.data(withJSONObject: ["id": "huge", "document": huge, "instruction": "Summarize."]), as: UTF8.self),
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir.file("jobs.jsonl"), atomically: true, encoding: .utf8)
        let r = try runRetrace(["rapid", "--jobs", dir.file("jobs.jsonl"), "--out", dir.file("out.jsonl"), "--max-tokens", "16",
                                "--stats", dir.file("s.sqlite")])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stderr.contains("jobs.jsonl:2: not a JSON object"), "\(r.stderr)")
        #expect(r.stderr.contains("jobs.jsonl:3: job nodoc has neither"), "\(r.stderr)")
        #expect(r.stderr.contains("jobs.jsonl:4: id \"ok\" appears twice"), "\(r.stderr)")
        #expect(r.stderr.contains("job huge: the prompt has"), "\(r.stderr)")
        let results = try Self.results(dir.file("out.jsonl"))
        #expect((results["ok"]?["output_tokens"] as? [Int])?.isEmpty == false)
        #expect((results["huge"]?["error"] as? String)?.contains("past the model's context") == true)
        // A drafter model with another vocabulary is refused before any job runs.
        let gemma = TestPaths.retraceHome + "/models/gemma-3-270m-q4_k_m.gguf"
        let foreign = try runRetrace(["rapid", "--jobs", dir.file("jobs.jsonl"), "--out", dir.file("other.jsonl"),
                                      "--draft-model", gemma, "--stats", dir.file("s.sqlite")])
        #expect(foreign.status != 0 && foreign.stderr.contains("another vocabulary"), "\(foreign.output)")
        let written = (try? String(contentsOfFile: dir.file("other.jsonl"), encoding: .utf8)) ?? ""
        #expect(written.isEmpty)
        // A base model without a chat template (Gemma-3-270M) as the target: a clear error
        // that names --raw-prompt, and with it the job runs on the raw text.
        try (lines[0] + "\n").write(toFile: dir.file("one.jsonl"), atomically: true, encoding: .utf8)
        let gemmaArguments = ["rapid", "--model", gemma, "--jobs", dir.file("one.jsonl"), "--out", dir.file("gemma.jsonl"),
                              "--max-tokens", "8", "--stats", dir.file("s.sqlite")]
        let noTemplate = try runRetrace(gemmaArguments)
        #expect(noTemplate.status != 0 && noTemplate.stderr.contains("--raw-prompt"), "\(noTemplate.output)")
        let raw = try runRetrace(gemmaArguments + ["--raw-prompt"])
        #expect(raw.status == 0, "\(raw.output)")
        #expect((try Self.results(dir.file("gemma.jsonl"))["ok"]?["output_tokens"] as? [Int])?.isEmpty == false)
        // Out-of-range sizes get a usage error, not an overflow.
        let huge2 = try runRetrace(["rapid", "--jobs", dir.file("jobs.jsonl"), "--max-tokens", "9223372036854775807"])
        #expect(huge2.status != 0 && huge2.stderr.contains("--max-tokens must be"), "\(huge2.output)")
        // A --sources list naming no source, or an unknown one.
        for list in ["", " , ", "context,bogus"] {
            let r = try runRetrace(["rapid", "--jobs", dir.file("one.jsonl"), "--out", dir.file("sources.jsonl"), "--sources", list])
            #expect(r.status != 0 && r.stderr.contains("--sources"), "\(list): \(r.output)")
        }
        // Missing jobs file.
        #expect(try runRetrace(["rapid", "--jobs", dir.file("missing.jsonl")]).status != 0)
    }
}
