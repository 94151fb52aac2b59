import Foundation
import Testing
import RetraceIndex
import RetraceTestSupport

@Suite struct DurabilityTests {
    /// Starts `retrace index add --verbose` and returns it with a pipe of its output.
    func startAdd(index: String, input: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.retraceExecutable)
        process.arguments = ["index", "add", index, "--pretokenized", "--batch-size", "1", "--verbose", input]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, out)
    }

    @Test func sigkillDuringAddLosesNothingCommitted() throws {
        let dir = TemporaryDirectory()
        let index = dir.file("idx")
        try Fixtures.pretokenizedIndex([[1, 2, 3]], at: index, in: dir)
        let docs = Fixtures.numberedDocuments(5000)
        try Fixtures.tokenLines(docs, at: dir.file("gen.jsonl"))
        let (process, out) = try startAdd(index: index, input: dir.file("gen.jsonl"))
        var committed = 0
        var buffer = ""
        while committed < 40 {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            for line in buffer.split(separator: "\n") where line.hasPrefix("committed ") {
                committed = max(committed, Int(line.split(separator: " ")[1]) ?? 0)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(committed >= 40)

        let reopened = try TokenIndex(path: index)
        let stats = try reopened.dynamicStatistics()
        #expect(stats.documents >= committed && stats.documents < docs.count)
        #expect(try reopened.verify(full: true).isValid)
        for i in 0..<committed {
            let r = try reopened.query(context: Array(docs[i].prefix(2)), options: .exhaustive())
            #expect(r.matchLength == 2 && r.dynamicOccurrences == 1, "document \(i) lost")
            #expect(r.continuations.first?.tokens == Array(docs[i].dropFirst(2)))
        }
    }

    @Test func anotherProcessReadsWhileAWriterAppends() throws {
        let dir = TemporaryDirectory()
        let index = dir.file("idx")
        try Fixtures.pretokenizedIndex([[1, 2, 3]], at: index, in: dir)
        let docs = Fixtures.numberedDocuments(300)
        try Fixtures.tokenLines(docs, at: dir.file("gen.jsonl"))
        let reader = try TokenIndex(path: index)
        let (process, _) = try startAdd(index: index, input: dir.file("gen.jsonl"))
        var seen: [Int] = []
        while process.isRunning {
            let count = try reader.dynamicStatistics().documents
            if count > 0 {
                // Every document the counter shows is already searchable.
                let r = try reader.query(context: Array(docs[count - 1].prefix(3)), options: .exhaustive())
                #expect(r.dynamicOccurrences == 1 && r.matchLength == 3)
            }
            seen.append(count)
            usleep(2_000)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(seen == seen.sorted())
        #expect(Set(seen).count > 2, "reads did not overlap the appends: \(Set(seen).sorted())")
        #expect(try reader.dynamicStatistics().documents == docs.count)
        #expect(try reader.query(context: [1299, 2299], options: .exhaustive()).continuations.first?.tokens == [3299, 4299])
    }
}
