import ArgumentParser
import Foundation
import RetraceCore
import RetraceEngine
import RetraceIndex
import RetraceLlama
import RetraceSpeculation

/// Replays recorded greedy generations through the drafters without running the model.
struct BenchReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recorded greedy generations through the drafters: MAT, draft latency, estimated speedup.",
        discussion: """
        Each step drafts a tree from the true history; the accepted length is the longest tree \
        path equal to the true continuation, plus one, and the drafter learns exactly what it \
        would learn live. Per category and budget it reports prompt lookup (last 3/2/1 tokens, \
        next `budget` tokens), each source alone, the fused drafter, two oracles (the longest true \
        continuation present in the live context or the index; and the longest one present right \
        after an occurrence of the last committed token, the most a drafter continuing a match can \
        accept, whichever of the occurrences it picks), and the fused drafter sized by \
        the cost curve of `retrace calibrate`, with the speedup over plain decoding that curve predicts; \
        and "fused, picked": each step verifies exactly the drafted path the recording follows (a \
        perfect choice among the fused drafter's candidates), the most any ranking or sizing of them gives.
        """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Traces (JSONL: id, category, prompt_tokens, output_tokens).")
    var traces: String

    @Option(help: "Index to draft from ('none' for the live context only).")
    var index = Defaults.indexPath

    @Option(help: "Node budgets per step (comma-separated).")
    var budget = "16"

    @Option(help: "Only these categories (comma-separated).")
    var categories: String?

    @Option(help: "The sizer's minimum promised gain over a plain step (default: the generator's).")
    var minimumGain: Double?

    @Option(help: "Sources the fused drafter uses (comma-separated: \(DraftSource.allCases.map(\.description).joined(separator: ", "))).")
    var sources = SourceList.all

    @Option(help: "Drafter setting: match lengths expanded in the live context (the longest, then shorter ones).")
    var contextMatches = RetrievalDrafter.Settings().contextMatches

    @Option(help: "Drafter setting: most nodes taken from the live context per step.")
    var contextNodes = RetrievalDrafter.Settings().contextNodes

    @Option(help: "Drafter setting: paths whose estimated acceptance is below this are not drafted.")
    var minimumScore = RetrievalDrafter.Settings().minimumScore

    @Option(help: "Drafter setting: continuations taken from the index per step.")
    var indexBranches = RetrievalDrafter.Settings().indexBranches

    @Option(help: "Drafter setting: deepest drafted token.")
    var maxDepth = RetrievalDrafter.Settings().maxDepth

    @Option(help: "Drafter setting: how much agreeing sources add to the strongest (0: nothing, 1: independent evidence).")
    var agreement = RetrievalDrafter.Settings().agreement

    @Flag(help: "Also replay with past generations: the traces' outputs ingested into a copy of the index's dynamic store (all of them, then only the even-numbered traces' for the odd-numbered ones).")
    var pastGenerations = false

    @Flag(help: "Also print how well node scores predicted acceptance (per score tenth), per drafter.")
    var reliability = false

    @Flag(help: "Hold the index's suffix array in memory backed by huge pages (as `retrace draft --resident`).")
    var resident = false

    @Flag(help: "Evict the CPU caches before every step, as the model's decoding does live (slow: about 3 ms a step), so draft latencies are those a live step sees.")
    var cold = false

    @Flag(help: "Run the target model once over each trace first (teacher forcing), so drafters hear its real top tokens at the positions a verification reaches, as they do live (without it: only the recorded token).")
    var targetFeedback = false

    @Flag(help: "Print JSON.")
    var json = false

    struct Line: Encodable {
        var drafter: String
        var tokens = 0
        var steps = 0
        var verifiedNodes = 0
        var cost = 0.0
        var acceptedBySource: [String: Int] = [:]
        var draftMicroseconds: [Double] = []
        var reliability = [TraceReplay.ReliabilityBin](repeating: .init(), count: 10)

        var mat: Double { Double(tokens) / Double(max(steps, 1)) }
        var nodesPerStep: Double { Double(verifiedNodes) / Double(max(steps, 1)) }
        var estimatedSpeedup: Double? { cost > 0 ? Double(tokens) / cost : nil }
        func percentile(_ q: Double) -> Double {
            let s = draftMicroseconds.sorted()
            return s.isEmpty ? 0 : s[min(s.count - 1, Int(q * Double(s.count)))]
        }

        mutating func add(_ o: TraceReplay.Outcome) {
            tokens += o.tokens
            steps += o.steps
            verifiedNodes += o.verifiedNodes
            cost += o.cost
            for (s, n) in o.acceptedBySource { acceptedBySource[s.description, default: 0] += n }
            draftMicroseconds += o.draftSeconds.map { $0 * 1e6 }
            for i in reliability.indices { reliability[i].merge(o.reliability[i]) }
        }

        enum CodingKeys: String, CodingKey {
            case drafter, tokens, steps, mat, nodesPerStep, estimatedSpeedup, acceptedBySource, p50, p99
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(drafter, forKey: .drafter)
            try c.encode(tokens, forKey: .tokens)
            try c.encode(steps, forKey: .steps)
            try c.encode(mat, forKey: .mat)
            try c.encode(nodesPerStep, forKey: .nodesPerStep)
            try c.encodeIfPresent(estimatedSpeedup, forKey: .estimatedSpeedup)
            try c.encode(acceptedBySource, forKey: .acceptedBySource)
            try c.encode(percentile(0.5), forKey: .p50)
            try c.encode(percentile(0.99), forKey: .p99)
        }
    }

    struct PastGenerations: Encodable {
        var budget: Int
        var allBefore: Double
        var allAfterOwn: Double
        var oddBefore: Double
        var oddAfterOthers: Double
    }

    /// Memory a structure holds after the replay, per stored item.
    struct Memory: Encodable {
        var structure: String
        var bytes: Int
        var items: Int
        var item: String
        var bytesPerItem: Double { Double(bytes) / Double(max(items, 1)) }

        enum CodingKeys: String, CodingKey { case structure, bytes, items, item, bytesPerItem }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(structure, forKey: .structure)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(items, forKey: .items)
            try c.encode(item, forKey: .item)
            try c.encode(bytesPerItem, forKey: .bytesPerItem)
        }
    }

    struct FullReport: Encodable {
        var reports: [Report]
        var memory: [Memory]
        var pastGenerations: PastGenerations?
    }

    struct Report: Encodable {
        var budget: Int
        var category: String
        var traces: Int
        var lines: [Line]
    }

    func validate() throws {
        if let minimumGain, !(minimumGain.isFinite && minimumGain >= 0) { throw ValidationError("--minimum-gain must be a finite number, 0 or more") }
        if !(0...64).contains(contextMatches) { throw ValidationError("--context-matches must be from 0 to 64") }
        if !(0...4096).contains(contextNodes) { throw ValidationError("--context-nodes must be from 0 to 4096") }
        if !(0...1).contains(minimumScore) { throw ValidationError("--minimum-score must be from 0 to 1") }
        if !(0...64).contains(indexBranches) { throw ValidationError("--index-branches must be from 0 to 64") }
        if !(1...256).contains(maxDepth) { throw ValidationError("--max-depth must be from 1 to 256") }
        if !(0...1).contains(agreement) { throw ValidationError("--agreement must be from 0 to 1") }
    }

    func run() async throws {
        let budgets = try budget.split(separator: ",").map { part -> Int in
            guard let b = Int(part.trimmingCharacters(in: .whitespaces)), (1...512).contains(b) else {
                throw CLIError("--budget takes node counts from 1 to 512, comma-separated (got '\(budget)')")
            }
            return b
        }
        let tokenizer = try model.loadTokenizer()
        var all = try ReplayTrace.load(traces, vocabularySize: tokenizer.identity.vocabularySize)
        if let categories {
            let wanted = Set(categories.split(separator: ",").map(String.init))
            all = all.filter { wanted.contains($0.category) }
            guard !all.isEmpty else { throw CLIError("no traces in categories \(categories)") }
        }
        if targetFeedback { try measureTarget(&all) }
        let store = try TokenIndex.open(option: index, for: tokenizer.identity, resident: resident)
        // Latencies are those of a warm service: every page of the index mapped in first.
        let mapped = store?.prefault() ?? 0
        if resident, store != nil {
            // Huge pages are the kernel's to grant: say how many this process got (the copy is
            // all of its memory that asks for them).
            let huge = Self.anonymousHugePageBytes().map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "unknown"
            FileHandle.standardError.write(Data(String(format: "resident index: %.0f MiB copied; in huge pages: %@\n",
                                                       Double(mapped) / 1_048_576, huge).utf8))
        }
        let cost = (try? TargetRuntime.loadCost(modelPath: model.modelPath)) ?? .fallback
        let categoryOrder = all.map(\.category).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }

        var reports: [Report] = []
        var memory: [Memory] = []
        let flush = CacheFlush()
        // Live, each draft follows a decode that streams the model's weights (tens of MB)
        // through the caches: the same as reading a buffer larger than the last-level cache.
        let stepFlush = CacheFlush(bytes: cold ? 48 << 20 : 0)
        let fusedSources = try SourceList.parse(sources)
        let settings = RetrievalDrafter.Settings(sources: fusedSources, maxDepth: maxDepth, indexBranches: indexBranches, contextMatches: contextMatches,
                                                 contextNodes: contextNodes, minimumScore: minimumScore, agreement: agreement)
        for budget in budgets {
            let cut: TraceReplay.Planner = { tree, _, _ in tree.pruned(to: budget) }
            var sizer = TreeSizer(cost: cost, maxNodes: budget)
            if let minimumGain { sizer.minimumGain = minimumGain }
            let sized: TraceReplay.Planner = { tree, pending, context in sizer.size(tree, pending: pending, context: context) }
            // One drafter per configuration for the whole run, as one generator per process live;
            // a plan per trace (the picking one reads the trace's recorded continuation).
            var configurations: [(String, any Drafter, (ReplayTrace) -> TraceReplay.Planner, Bool)] = [
                ("prompt lookup", PromptLookupDrafter(length: budget), { _ in cut }, false),
            ]
            for source in DraftSource.allCases where source != .model && (store != nil || source != .index) {
                var alone = settings
                alone.sources = [source]
                configurations.append((source.description, RetrievalDrafter(index: store, settings: alone), { _ in cut }, false))
            }
            configurations.append(("fused", RetrievalDrafter(index: store, settings: settings), { _ in cut }, false))
            configurations.append(("fused, sized", RetrievalDrafter(index: store, settings: settings), { _ in sized }, true))
            // The bound of choosing among the fused drafter's candidates: every step verifies
            // exactly the drafted path that the recording follows (at most `budget` deep), so
            // a perfect ranking and sizer would get this MAT and speedup from these candidates.
            configurations.append(("fused, picked", RetrievalDrafter(index: store, settings: settings), { trace in
                { tree, _, context in
                    TraceReplay.recordedPath(in: tree, truth: trace.outputTokens[(context - trace.promptTokens.count)...], limit: budget)
                }
            }, true))
            // Each drafter replays every trace before the next starts, with the CPU's caches
            // flushed in between, so none finds the index rows it reads still cached from
            // another drafter's identical queries.
            var perTrace = [[Line]](repeating: [], count: all.count)
            for i in configurations.indices {
                flush.run()
                for (t, trace) in all.enumerated() {
                    var line = Line(drafter: configurations[i].0)
                    line.add(try Self.replay(&configurations[i].1, trace: trace, plan: configurations[i].2(trace),
                                             cost: configurations[i].3 ? cost : nil,
                                             beforeStep: cold ? { stepFlush.run() } : nil))
                    perTrace[t].append(line)
                }
            }
            var lines: [String: [Line]] = [:]
            for (t, trace) in all.enumerated() {
                var row = perTrace[t]
                row.append(try oracle(trace, budget: budget, store: store, afterLastToken: false))
                row.append(try oracle(trace, budget: budget, store: store, afterLastToken: true))
                if lines[trace.category] == nil { lines[trace.category] = row } else {
                    for i in row.indices { lines[trace.category]![i].merge(row[i]) }
                }
            }
            var total = lines[categoryOrder[0]]!.map { Line(drafter: $0.drafter) }
            for category in categoryOrder {
                reports.append(Report(budget: budget, category: category,
                                      traces: all.filter { $0.category == category }.count, lines: lines[category]!))
                for i in total.indices { total[i].merge(lines[category]![i]) }
            }
            reports.append(Report(budget: budget, category: "all", traces: all.count, lines: total))
            if let fused = configurations.first(where: { $0.0 == "fused" })?.1 as? RetrievalDrafter {
                memory = fused.footprints.filter { $0.footprint.items > 0 }.map { Memory(structure: $0.source.description, bytes: $0.footprint.bytes,
                                                       items: $0.footprint.items, item: $0.footprint.item) }
            }
        }
        var past: PastGenerations?
        if pastGenerations {
            guard let store else { throw CLIError("--past-generations needs an index") }
            past = try measurePastGenerations(all, store: store, settings: settings, budget: budgets[0])
        }
        memory.append(Self.automatonFootprint(all))
        if let store {
            let disk = CorpusReader.size(of: store.path + "/data.mdb")
            memory.append(Memory(structure: "index (on disk)", bytes: disk, items: store.metadata.tokenCount, item: "static tokens"))
        }
        if json {
            try printJSON(FullReport(reports: reports, memory: memory, pastGenerations: past))
        } else {
            printTable(reports)
            print("memory after the replay (fused drafter's sources; the live-context automaton over every trace's tokens in one context):")
            for m in memory {
                print("  " + m.structure.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%12d bytes  %10d ", m.bytes, m.items) + m.item + String(format: "  %.1f bytes each", m.bytesPerItem))
            }
            if let past {
                print(String(format: "past generations (fused drafter, budget %d, MAT): all traces %.2f → %.2f after ingesting their own outputs; "
                             + "odd-numbered traces %.2f → %.2f after ingesting only the even-numbered traces' outputs",
                             past.budget, past.allBefore, past.allAfterOwn, past.oddBefore, past.oddAfterOthers))
            }
        }
    }

    /// Runs the target over every trace (teacher forcing) for its top tokens.
    private func measureTarget(_ traces: inout [ReplayTrace]) throws {
        let llama = try LlamaModel(path: model.modelPath)
        let longest = traces.map { $0.promptTokens.count + $0.outputTokens.count }.max() ?? 0
        guard longest <= llama.trainedContextLength else {
            throw CLIError("a trace of \(longest) tokens exceeds the model's trained context of \(llama.trainedContextLength)")
        }
        let context = try LlamaContext(model: llama, options: ContextOptions(contextLength: max(512, longest), maxSequences: 1))
        let total = traces.reduce(0) { $0 + $1.promptTokens.count + $1.outputTokens.count }
        let progress = ProgressBar(label: "target over the traces", total: total)
        var done = 0
        for i in traces.indices {
            traces[i].target = try .teacherForced(prompt: traces[i].promptTokens, output: traces[i].outputTokens, context: context)
            done += traces[i].promptTokens.count + traces[i].outputTokens.count
            progress.update(done: done, tokens: done)
        }
        progress.finish(tokens: total)
    }

    /// MAT of the fused drafter before and after past generations are in the dynamic store of a
    /// temporary copy of the index (the index itself is not touched).
    private func measurePastGenerations(_ traces: [ReplayTrace], store: TokenIndex, settings: RetrievalDrafter.Settings,
                                        budget: Int) throws -> PastGenerations {
        func mat(_ index: TokenIndex, _ subset: [ReplayTrace]) throws -> Double {
            var drafter: any Drafter = RetrievalDrafter(index: index, settings: settings)
            var line = Line(drafter: "fused")
            for trace in subset {
                line.add(try Self.replay(&drafter, trace: trace, plan: { tree, _, _ in tree.pruned(to: budget) }, cost: nil))
            }
            return line.mat
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("retrace-replay-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: index, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let even = traces.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let odd = traces.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let withPast = try TokenIndex(path: copy)
        let oddBefore = try mat(store, odd)
        _ = try withPast.append(documents: even.map(\.outputTokens).filter { !$0.isEmpty })
        let oddAfterOthers = try mat(withPast, odd)
        _ = try withPast.append(documents: odd.map(\.outputTokens).filter { !$0.isEmpty })
        return PastGenerations(budget: budget, allBefore: try mat(store, traces), allAfterOwn: try mat(withPast, traces),
                               oddBefore: oddBefore, oddAfterOthers: oddAfterOthers)
    }

    /// This process's anonymous memory in transparent huge pages (Linux), if readable.
    private static func anonymousHugePageBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/smaps_rollup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("AnonHugePages:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }

    /// The live-context automaton over all traces' tokens as one long context (the context source
    /// holds one generation's at a time).
    private static func automatonFootprint(_ traces: [ReplayTrace]) -> Memory {
        var automaton = ContextSuffixAutomaton()
        for trace in traces {
            automaton.append(contentsOf: trace.promptTokens)
            automaton.append(contentsOf: trace.outputTokens)
        }
        return Memory(structure: "context automaton", bytes: automaton.memoryBytes, items: automaton.tokens.count,
                      item: "context tokens")
    }

    private static func replay(_ drafter: inout any Drafter, trace: ReplayTrace, plan: TraceReplay.Planner,
                               cost: CostModel?, beforeStep: (() -> Void)? = nil) throws -> TraceReplay.Outcome {
        try TraceReplay.run(drafter: &drafter, prompt: trace.promptTokens, truth: trace.outputTokens, target: trace.target,
                            plan: plan, cost: cost, beforeStep: beforeStep)
    }

    /// Steps if every step accepted the longest true continuation (up to the budget) present in
    /// the live context or the index; with `afterLastToken`, only continuations that follow an
    /// occurrence of the last committed token count (what a drafter extending a match of at
    /// least one token could reach with a perfect choice among all occurrences).
    private func oracle(_ trace: ReplayTrace, budget: Int, store: TokenIndex?, afterLastToken: Bool) throws -> Line {
        var line = Line(drafter: afterLastToken ? "oracle, match" : "oracle")
        let truth = trace.outputTokens
        var history = trace.promptTokens
        var done = 0
        while done < truth.count {
            var best: Int
            if afterLastToken, let last = history.last {
                // The last token and the future together, less the last token itself; its own
                // occurrence at the end of the history is followed by nothing.
                let anchored = [last] + truth[done...].prefix(budget)
                best = max(0, TraceReplay.longestPrefix(of: anchored[...], in: history, limit: budget + 1) - 1)
                if let store, best < budget {
                    best = max(best, try store.longestStoredPrefix(of: anchored[...], maxLength: budget + 1) - 1)
                }
            } else {
                let future = truth[done...]
                best = TraceReplay.longestPrefix(of: future, in: history, limit: budget)
                if let store, best < budget { best = max(best, try store.longestStoredPrefix(of: future, maxLength: budget)) }
            }
            let step = min(best + 1, truth.count - done)
            history += truth[done..<done + step]
            done += step
            line.steps += 1
        }
        line.tokens = truth.count
        return line
    }

    private func printTable(_ reports: [Report]) {
        for report in reports {
            print("budget \(report.budget) · \(report.category) (\(report.traces) traces, \(report.lines[0].tokens) tokens)")
            for line in report.lines {
                var text = "  \(line.drafter.padding(toLength: 15, withPad: " ", startingAt: 0)) MAT \(String(format: "%.2f", line.mat))"
                if !line.drafter.hasPrefix("oracle") {
                    text += String(format: "  nodes/step %5.1f  draft p50 %6.1f µs  p99 %7.1f µs", line.nodesPerStep, line.percentile(0.5), line.percentile(0.99))
                }
                if let s = line.estimatedSpeedup { text += String(format: "  est. speedup %.2f×", s) }
                print(text)
                if reliability, line.verifiedNodes > 0 {
                    let bins = line.reliability.filter { $0.nodes > 0 }
                        .map { String(format: "%.2f→%.2f (%d)", $0.meanScore, $0.acceptanceRate, $0.nodes) }
                    print("      score→accepted: " + bins.joined(separator: "  "))
                }
            }
        }
    }
}

extension BenchReplayCommand.Line {
    mutating func merge(_ other: Self) {
        tokens += other.tokens
        steps += other.steps
        verifiedNodes += other.verifiedNodes
        cost += other.cost
        for (s, n) in other.acceptedBySource { acceptedBySource[s, default: 0] += n }
        draftMicroseconds += other.draftMicroseconds
        for i in reliability.indices { reliability[i].merge(other.reliability[i]) }
    }
}

/// Evicts the CPU's caches between benchmark runs by reading a buffer larger than any of them.
struct CacheFlush {
    private let buffer: [UInt64]

    init(bytes: Int = 256 << 20) { buffer = [UInt64](repeating: 1, count: bytes / 8) }

    func run() {
        var sum: UInt64 = 0
        for i in Swift.stride(from: 0, to: buffer.count, by: 8) { sum &+= buffer[i] }
        blackHole(sum)
    }
}
