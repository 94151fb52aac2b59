import ArgumentParser
import Foundation
import RetraceCore
import RetraceIndex

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run them from a release build).",
        subcommands: [BenchIndexCommand.self, BenchGenerateCommand.self, BenchReplayCommand.self])
}

/// Build throughput, size and peak memory of index builds, and query latency.
struct BenchIndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Measure index builds (default corpus and a synthetic stream) and query latency.",
        discussion: "Each build runs in a child `retrace index build --json` so its peak memory is its own.")

    @Option(help: "Tokens in the synthetic Zipf stream (0 to skip).")
    var syntheticTokens = 100_000_000

    @Option(help: "Text corpus to build (default: the embedded default corpus; 'none' to skip).")
    var corpus: String?

    @Option(help: "Queries timed per index.")
    var queries = 20_000

    @Option(help: "Context length of each query, in tokens.")
    var contextLength = 16

    @Option(help: "Work directory (default: indexes/.bench).")
    var workdir = "indexes/.bench"

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print JSON.")
    var json = false

    struct Line: Encodable {
        var name: String
        var tokens: Int
        var documents: Int
        var tokenizeSeconds: Double
        var suffixArraySeconds: Double
        var suffixArrayTokensPerSecond: Double
        var storeAndWriteSeconds: Double
        var bytesOnDisk: Int
        var bytesPerToken: Double
        var peakMemoryBytes: Int
        var peakMemoryBytesPerToken: Double
        /// Baseline in the same command: sorting the same token ids as plain integers.
        var baselineSortSeconds: Double?
        var queries: [QueryLatency] = []
    }

    struct QueryLatency: Encodable {
        var workload: String
        var queries: Int
        var matched: Int
        var meanMatchLength: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var mean: Double
        /// Baseline in the same run: the same queries counting every occurrence exactly
        /// (REST-style), without the bounded-work sampling.
        var exhaustiveQueries: Int
        var exhaustiveP50: Double
        var exhaustiveP99: Double
    }

    func validate() throws {
        // An index holds fewer than 2^31 symbols (tokens plus one separator per document).
        if !(0...2_000_000_000).contains(syntheticTokens) { throw ValidationError("--synthetic-tokens must be from 0 to 2000000000") }
        if !(1...10_000_000).contains(queries) { throw ValidationError("--queries must be from 1 to 10000000") }
        if !(1...1024).contains(contextLength) { throw ValidationError("--context-length must be from 1 to 1024") }
    }

    func run() async throws {
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        var lines: [Line] = []
        let corpus = self.corpus ?? Defaults.corpusPath
        if corpus != "none" {
            var arguments = ["--extensions", "py", "--skip-invalid"] + Defaults.corpusExclusions.flatMap { ["--exclude", $0] }
            arguments += ["--model", model.modelPath, corpus]
            let summary = try build(name: "default corpus", index: workdir + "/corpus", arguments: arguments)
            lines.append(try measure(name: "default corpus (\(corpus))", summary: summary, contexts: nil))
        }
        if syntheticTokens > 0 {
            let stream = workdir + "/synthetic-\(syntheticTokens).u32"
            let generator = SyntheticCorpus(tokens: syntheticTokens)
            if CorpusReader.size(of: stream) < syntheticTokens * 4 {
                printError("generating \(syntheticTokens) synthetic tokens in \(stream)…")
                try generator.write(to: stream)
            }
            let summary = try build(name: "synthetic", index: workdir + "/synthetic-\(syntheticTokens)", arguments: [
                "--pretokenized", "--format", "raw", "--vocab-size", "\(generator.vocabularySize)",
                "--tokenizer-name", "synthetic-zipf", stream])
            var line = try measure(name: "synthetic Zipf stream, \(syntheticTokens) tokens", summary: summary,
                                   contexts: try sampleContexts(stream: stream))
            line.baselineSortSeconds = try timeSort(stream: stream)
            lines.append(line)
        }
        if json { try printJSON(lines); return }
        for l in lines {
            print("""
                \(l.name)
                  tokens \(l.tokens), documents \(l.documents)
                  tokenize \(String(format: "%.2f", l.tokenizeSeconds)) s, suffix array \(String(format: "%.2f", l.suffixArraySeconds)) s (\(String(format: "%.2f", l.suffixArrayTokensPerSecond / 1e6))M tokens/s), store+write \(String(format: "%.2f", l.storeAndWriteSeconds)) s
                  disk \(l.bytesOnDisk) bytes = \(String(format: "%.2f", l.bytesPerToken)) bytes/token
                  peak memory \(l.peakMemoryBytes / (1 << 20)) MiB = \(String(format: "%.2f", l.peakMemoryBytesPerToken)) bytes/token
                """)
            if let sort = l.baselineSortSeconds {
                print("  baseline: sorting the \(l.tokens) ids as integers took \(String(format: "%.2f", sort)) s; suffix array / sort = \(String(format: "%.2f", l.suffixArraySeconds / sort))×")
            }
            for q in l.queries {
                print("  query \(q.workload) (\(q.queries) × \(contextLength)-token contexts, warm): p50 \(String(format: "%.1f", q.p50)) µs, p90 \(String(format: "%.1f", q.p90)) µs, p99 \(String(format: "%.1f", q.p99)) µs, mean \(String(format: "%.1f", q.mean)) µs; \(q.matched) matched, mean match \(String(format: "%.1f", q.meanMatchLength)) tokens")
                print("    baseline exhaustive counting (\(min(q.queries, q.exhaustiveQueries)) queries): p50 \(String(format: "%.1f", q.exhaustiveP50)) µs, p99 \(String(format: "%.1f", q.exhaustiveP99)) µs (bounded p99 = \(String(format: "%.2f", q.p99 / q.exhaustiveP99))× of it)")
            }
        }
    }

    private func build(name: String, index: String, arguments: [String]) throws -> BuildSummary.Decoded {
        printError("building \(name) index in \(index)…")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["index", "build", "--out", index, "--force", "--json"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("the \(name) build failed") }
        return try JSONDecoder().decode(BuildSummary.Decoded.self, from: data)
    }

    private func measure(name: String, summary: BuildSummary.Decoded, contexts: [[TokenID]]?) throws -> Line {
        let r = summary.report
        var line = Line(
            name: name, tokens: r.tokens, documents: r.documents, tokenizeSeconds: summary.tokenizeSeconds,
            suffixArraySeconds: r.suffixArraySeconds, suffixArrayTokensPerSecond: Double(r.tokens) / max(r.suffixArraySeconds, 1e-9),
            storeAndWriteSeconds: r.storeSeconds + r.writeSeconds, bytesOnDisk: r.bytesOnDisk,
            bytesPerToken: Double(r.bytesOnDisk) / Double(r.tokens), peakMemoryBytes: summary.peakMemoryBytes,
            peakMemoryBytesPerToken: Double(summary.peakMemoryBytes) / Double(r.tokens))
        if let contexts {
            let index = try TokenIndex(path: summary.path)
            line.queries.append(try timeQueries(index, contexts: contexts, workload: "stream windows"))
            // The first half of each context replaced by random ids: shorter, more frequent matches.
            var rng = SplitMix(state: 11)
            let perturbed = contexts.map { c in
                (0..<c.count).map { i in i < c.count / 2 ? TokenID(rng.next() % 49_152) : c[i] }
            }
            line.queries.append(try timeQueries(index, contexts: perturbed, workload: "half-random"))
            // Wholly random ids: short matches on frequent tokens, with huge occurrence counts.
            let random = contexts.map { c in c.map { _ in TokenID(rng.next() % 49_152) } }
            line.queries.append(try timeQueries(index, contexts: random, workload: "random", baselineLimit: 200))
        }
        return line
    }

    /// Contexts cut from the stream at random places, so most of them match.
    private func sampleContexts(stream: String) throws -> [[TokenID]] {
        guard let handle = FileHandle(forReadingAtPath: stream) else { throw CLIError("cannot read \(stream)") }
        defer { try? handle.close() }
        let count = CorpusReader.size(of: stream) / 4
        var rng = SplitMix(state: 7)
        var contexts: [[TokenID]] = []
        while contexts.count < queries {
            let start = Int(rng.next() % UInt64(count - contextLength))
            try handle.seek(toOffset: UInt64(start * 4))
            guard let data = try handle.read(upToCount: contextLength * 4) else { continue }
            let ids = data.withUnsafeBytes { raw in (0..<contextLength).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) } }
            if !ids.contains(CorpusReader.rawSeparator) { contexts.append(ids) }
        }
        return contexts
    }

    /// Times the bounded queries over `contexts`, and the exhaustive baseline over the first
    /// `baselineLimit` of them.
    private func timeQueries(_ index: TokenIndex, contexts: [[TokenID]], workload: String,
                             baselineLimit: Int = .max) throws -> QueryLatency {
        let bounded = QueryOptions(maxMatchLength: contextLength)
        var exhaustive = QueryOptions.exhaustive(maxMatchLength: contextLength)
        exhaustive.top = bounded.top
        exhaustive.continuationLength = bounded.continuationLength
        for c in contexts { _ = try index.query(context: c, options: bounded) }  // warm the map
        func time(_ options: QueryOptions, _ contexts: ArraySlice<[TokenID]>) throws -> (samples: [Double], matched: Int, matchTotal: Int) {
            let clock = ContinuousClock()
            var samples: [Double] = []
            samples.reserveCapacity(contexts.count)
            var matched = 0, matchTotal = 0
            for c in contexts {
                let start = clock.now
                let r = try index.query(context: c, options: options)
                samples.append((clock.now - start).seconds * 1e6)
                if r.matchLength > 0 { matched += 1 }
                matchTotal += r.matchLength
            }
            return (samples.sorted(), matched, matchTotal)
        }
        let fast = try time(bounded, contexts[...])
        let slow = try time(exhaustive, contexts.prefix(baselineLimit))
        func at(_ samples: [Double], _ q: Double) -> Double { samples[min(samples.count - 1, Int(q * Double(samples.count)))] }
        return QueryLatency(workload: workload, queries: contexts.count, matched: fast.matched,
                            meanMatchLength: Double(fast.matchTotal) / Double(contexts.count),
                            p50: at(fast.samples, 0.5), p90: at(fast.samples, 0.9), p99: at(fast.samples, 0.99),
                            mean: fast.samples.reduce(0, +) / Double(contexts.count),
                            exhaustiveQueries: slow.samples.count, exhaustiveP50: at(slow.samples, 0.5), exhaustiveP99: at(slow.samples, 0.99))
    }

    /// Time to sort the stream's ids as plain integers: a machine-speed baseline for the
    /// suffix-array construction, measured in the same command.
    private func timeSort(stream: String) throws -> Double {
        var ids = try Data(contentsOf: URL(fileURLWithPath: stream)).withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        let clock = ContinuousClock()
        let start = clock.now
        ids.sort()
        let seconds = (clock.now - start).seconds
        precondition(ids.first! <= ids.last!)
        return seconds
    }
}

extension BuildSummary {
    /// The JSON of `index build --json`, read back by the benchmark.
    struct Decoded: Decodable {
        var path: String
        var tokenizeSeconds: Double
        var report: BuildReport
        var peakMemoryBytes: Int
    }
}
