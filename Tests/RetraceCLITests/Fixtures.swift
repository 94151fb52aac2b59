import Foundation
import RetraceTestSupport

/// Small inputs written for CLI tests.
enum Fixtures {
    /// A directory with two code files, a text file in a subfolder and a file to ignore.
    static func codeDirectory(in dir: TemporaryDirectory) throws -> String {
        let root = dir.file("code")
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n".write(toFile: root + "/math.py", atomically: true, encoding: .utf8)
        try "def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n".write(toFile: root + "/use.py", atomically: true, encoding: .utf8)
        try "Notes about adding numbers.\n".write(toFile: root + "/sub/notes.txt", atomically: true, encoding: .utf8)
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: root + "/blob.bin"))
        return root
    }

    /// Pre-tokenized JSONL: one array of ids a line.
    static func tokenLines(_ docs: [[UInt32]], at path: String) throws {
        let text = docs.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Raw little-endian UInt32 with 0xFFFFFFFF between documents.
    static func rawStream(_ docs: [[UInt32]], at path: String) throws {
        var words: [UInt32] = []
        for (i, d) in docs.enumerated() {
            if i > 0 { words.append(0xFFFF_FFFF) }
            words += d
        }
        try words.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
    }

    /// Distinct documents that are easy to look up: document i is [i+1000, i+2000, i+3000, i+4000].
    static func numberedDocuments(_ count: Int) -> [[UInt32]] {
        (0..<count).map { (i: Int) -> [UInt32] in
            let base = UInt32(i)
            return [base + 1000, base + 2000, base + 3000, base + 4000]
        }
    }

    /// Builds a pre-tokenized index with its own tokenizer identity (vocabulary 60,000).
    static func pretokenizedIndex(_ docs: [[UInt32]], at path: String, in dir: TemporaryDirectory) throws {
        let input = dir.file("base-\(UUID().uuidString.prefix(6)).jsonl")
        try tokenLines(docs, at: input)
        let r = try runRetrace(["index", "build", "--pretokenized", "--vocab-size", "60000", "--tokenizer-name", "test-ids",
                                "--out", path, input])
        precondition(r.status == 0, "fixture build failed: \(r.output)")
    }
}
