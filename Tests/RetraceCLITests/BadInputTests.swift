import Foundation
import Testing
import RetraceTestSupport

/// Every bad input gets a clear message and a non-zero exit, never a crash (a signal) or an
/// index that claims to be complete.
@Suite struct BadInputTests {
    func expectFailure(_ arguments: [String], mentions phrase: String, stdin: Data? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try runRetrace(arguments, stdin: stdin)
        #expect(r.status != 0, "succeeded: \(arguments)", sourceLocation: sourceLocation)
        #expect(r.status < 128, "crashed (\(r.status)): \(r.output)", sourceLocation: sourceLocation)
        #expect(r.stderr.localizedCaseInsensitiveContains(phrase), "\(arguments): \(r.output)", sourceLocation: sourceLocation)
    }

    @Test func missingEmptyAndInvalidInputs() throws {
        let dir = TemporaryDirectory()
        try expectFailure(["index", "build", "--out", dir.file("x"), dir.file("missing.txt")], mentions: "no such file")
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        try expectFailure(["index", "build", "--out", dir.file("x"), dir.file("empty")], mentions: "no tokens")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x")))

        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: dir.file("latin1.txt")))
        try expectFailure(["index", "build", "--out", dir.file("x"), dir.file("latin1.txt")], mentions: "not valid UTF-8")
        // With --skip-invalid the bad file is skipped, and nothing else is left: still an empty corpus.
        try expectFailure(["index", "build", "--skip-invalid", "--out", dir.file("x"), dir.file("latin1.txt")], mentions: "no tokens")

        try "{\"text\": \"fine\"}\n{broken\n".write(toFile: dir.file("bad.jsonl"), atomically: true, encoding: .utf8)
        try expectFailure(["index", "build", "--out", dir.file("x"), dir.file("bad.jsonl")], mentions: "bad.jsonl:2")

        try Fixtures.tokenLines([[1, 2, 3], [4, 99_999_999]], at: dir.file("oov.jsonl"))
        try expectFailure(["index", "build", "--pretokenized", "--out", dir.file("x"), dir.file("oov.jsonl")],
                          mentions: "outside the vocabulary")
        try "[1, 2, -3]\n".write(toFile: dir.file("neg.jsonl"), atomically: true, encoding: .utf8)
        try expectFailure(["index", "build", "--pretokenized", "--out", dir.file("x"), dir.file("neg.jsonl")], mentions: "token ids")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.file("odd.u32")))
        try expectFailure(["index", "build", "--pretokenized", "--out", dir.file("x"), dir.file("odd.u32")], mentions: "multiple of 4")
        try expectFailure(["index", "build", "--pretokenized", "--vocab-size", "4000000000", "--tokenizer-name", "t",
                           "--out", dir.file("x"), dir.file("oov.jsonl")], mentions: "--vocab-size")
        try expectFailure(["index", "build", "--model", dir.file("nope.gguf"), "--out", dir.file("x"), dir.file("latin1.txt")],
                          mentions: "model file not found")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x")))
    }

    @Test func foreignTokenizerIsRefused() throws {
        let dir = TemporaryDirectory()
        let index = dir.file("foreign")
        try Fixtures.pretokenizedIndex(Fixtures.numberedDocuments(10), at: index, in: dir)
        try expectFailure(["index", "query", index, "--text", "hello"], mentions: "tokenizer")
        try "more text".write(toFile: dir.file("more.txt"), atomically: true, encoding: .utf8)
        try expectFailure(["index", "add", index, dir.file("more.txt")], mentions: "tokenizer")
        try Fixtures.tokenLines([[1, 70_000]], at: dir.file("oov.jsonl"))
        try expectFailure(["index", "add", index, "--pretokenized", dir.file("oov.jsonl")], mentions: "outside the vocabulary")
        try expectFailure(["index", "query", index, "--tokens", "1,70000"], mentions: "outside the vocabulary")
        try expectFailure(["index", "query", index, "--tokens", "1,x"], mentions: "not a token id")
        try expectFailure(["index", "query", index, "--tokens", "1", "--top", "0"], mentions: "--top")
        try expectFailure(["index", "build", "--out", index, dir.file("more.txt")], mentions: "already exists")
    }

    @Test func notAnIndexTruncatedAndCorrupted() throws {
        let dir = TemporaryDirectory()
        try expectFailure(["index", "info", dir.file("absent")], mentions: "does not exist")
        try FileManager.default.createDirectory(atPath: dir.file("plain"), withIntermediateDirectories: true)
        try expectFailure(["index", "info", dir.file("plain")], mentions: "not a Retrace index")
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("file")))
        try expectFailure(["index", "verify", dir.file("file")], mentions: "not a Retrace index")

        let good = dir.file("good")
        try Fixtures.pretokenizedIndex(Fixtures.numberedDocuments(3000), at: good, in: dir)
        let size = (try FileManager.default.attributesOfItem(atPath: good + "/data.mdb")[.size] as! NSNumber).intValue

        func copy(_ name: String) throws -> String {
            let path = dir.file(name)
            try FileManager.default.copyItem(atPath: good, toPath: path)
            return path
        }
        let truncated = try copy("truncated")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: truncated + "/data.mdb"))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        try expectFailure(["index", "info", truncated], mentions: "truncated")
        try expectFailure(["index", "query", truncated, "--tokens", "1000"], mentions: "truncated")

        let garbage = try copy("garbage")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: garbage + "/data.mdb"))
        for i in 0..<8192 { bytes[i] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: garbage + "/data.mdb"))
        try expectFailure(["index", "info", garbage], mentions: "damaged")

        // Damage inside the stored arrays: queries must not crash, and verify --full must notice.
        let flipped = try copy("flipped")
        bytes = try Data(contentsOf: URL(fileURLWithPath: flipped + "/data.mdb"))
        for i in stride(from: size / 3, to: size * 2 / 3, by: 97) { bytes[i] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: flipped + "/data.mdb"))
        let q = try runRetrace(["index", "query", flipped, "--tokens", "1000,2000"])
        #expect(q.status < 128, "query crashed on a damaged index: \(q.output)")
        let v = try runRetrace(["index", "verify", flipped, "--full"])
        #expect(v.status != 0 && v.status < 128, "\(v.output)")
        #expect(v.output.contains("PROBLEM") || v.output.localizedCaseInsensitiveContains("damaged"), "\(v.output)")
        // The original is untouched by all this.
        #expect(try runRetrace(["index", "verify", good, "--full"]).status == 0)
    }

    /// Sizes and lists out of range get a usage error before any model is loaded, never an
    /// overflow or a run that does not end.
    @Test func outOfRangeSizesAreRefused() throws {
        let prompts = TestPaths.sharedData + "/spec_bench/prompts.jsonl"
        let huge = "9223372036854775807"
        try expectFailure(["calibrate", "--contexts", huge], mentions: "--contexts")
        try expectFailure(["calibrate", "--contexts", "64,abc"], mentions: "--contexts")
        try expectFailure(["calibrate", "--contexts", ","], mentions: "--contexts")
        try expectFailure(["calibrate", "--repeats", "0"], mentions: "--repeats")
        try expectFailure(["bench", "generate", "--prompts", prompts, "--per-category", "0"], mentions: "--per-category")
        try expectFailure(["bench", "generate", "--prompts", prompts, "--rounds", huge], mentions: "--rounds")
        try expectFailure(["bench", "generate", "--prompts", prompts, "--max-tokens", "0"], mentions: "--max-tokens")
        try expectFailure(["bench", "generate", "--prompts", prompts, "--categories", "bogus"], mentions: "no prompts")
        try expectFailure(["demo", "--max-tokens", huge], mentions: "--max-tokens")
        try expectFailure(["bench", "index", "--synthetic-tokens", huge, "--corpus", "none"], mentions: "--synthetic-tokens")
        let traces = TestPaths.sharedData + "/traces/smollm2-135m-q4_1.greedy.jsonl"
        try expectFailure(["bench", "replay", "--traces", traces, "--agreement", "nan"], mentions: "--agreement")
        try expectFailure(["bench", "replay", "--traces", traces, "--max-depth", huge], mentions: "--max-depth")
        try expectFailure(["bench", "generate", "--prompts", prompts, "--minimum-gain", "nan"], mentions: "--minimum-gain")
    }

    @Test func interruptedBuildLeavesNoIndex() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("interrupted")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.retraceExecutable)
        process.arguments = ["index", "build", "--out", out, "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("partial text that never ends ".utf8))
        // Wait for the staging directory, then kill the build mid-way.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let entries = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            if entries.contains(where: { $0.hasPrefix(".interrupted.building-") }) { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: out))
        let r = try runRetrace(["index", "info", out])
        #expect(r.status != 0 && r.stderr.contains("does not exist"))
        // A new build succeeds and clears the abandoned staging directory.
        let rebuilt = try runRetrace(["index", "build", "--out", out, "-"], stdin: Data("complete text".utf8))
        #expect(rebuilt.status == 0, "\(rebuilt.output)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".building-") }
        #expect(leftovers.isEmpty)
    }
}
