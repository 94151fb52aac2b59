import ArgumentParser
import Foundation
import RetraceEngine
import RetraceCore
import RetraceIndex
import RetraceLlama
import RetraceStats

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The main job on the embedded defaults: default index, then a varied prompt set plain and speculative.")

    @Option(help: "Index directory (built from the default corpus when missing).")
    var index = Defaults.indexPath

    @Option(help: "Corpus to index when the index is missing (default: the Python standard library linked by tools/setup).")
    var corpus: String?

    @Option(help: "Tokens per prompt.")
    var maxTokens = 128

    @Option(help: "Rounds per prompt: each runs it plain and speculative, the order alternating (ABBA), so single slow runs on a busy machine weigh less.")
    var rounds = 2

    @Option(help: "Statistics database (default: $RETRACE_HOME/stats.sqlite).")
    var stats: String?

    @OptionGroup var model: ModelOptions

    func validate() throws {
        if !(1...16).contains(rounds) { throw ValidationError("--rounds must be from 1 to 16") }
        if !(1...(1 << 24)).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to \(1 << 24)") }
    }

    func run() async throws {
        let corpus = self.corpus ?? Defaults.corpusPath
        if (try? TokenIndex(path: index)) == nil {
            guard FileManager.default.fileExists(atPath: corpus) else {
                throw CLIError("default corpus \(corpus) is missing; run tools/setup first")
            }
            print("== building \(index) from \(corpus)")
            var arguments = ["--out", index, "--force", "--skip-invalid", "--extensions", "py", corpus]
            arguments += Defaults.corpusExclusions.flatMap { ["--exclude", $0] }
            if let m = model.model { arguments += ["--model", m] }
            let build = try IndexBuildCommand.parse(arguments)
            try await build.run()
        }
        print("\n== retrace index info \(index)")
        let info = try IndexInfoCommand.parse([index])
        try await info.run()

        let runtime = try TargetRuntime(modelPath: model.modelPath, indexPath: index, contextLength: 4096)
        print("\n== \(DemoPrompts.all.count) prompts, \(maxTokens) tokens each, plain greedy and speculative (same model, same settings)")
        if !runtime.costIsMeasured {
            print("   (no measured cost curve for this machine yet: `retrace calibrate` measures one; using the reference curve)")
        }
        let statsPath = stats ?? Defaults.statsPath
        let store = try StatsStore(path: statsPath)
        let writer = store.makeWriter()
        defer { writer.close() }
        print("prompt   kind                 plain t/s   spec t/s   speedup    MAT  tree  identical")
        var plainTokens = 0, plainSeconds = 0.0, fastTokens = 0, fastSeconds = 0.0, steps = 0
        for (n, item) in DemoPrompts.all.enumerated() {
            let prompt = try runtime.promptTokens(item.prompt, raw: false)
            let generator = runtime.generator
            let (plainRuns, fastRuns) = try PairedRuns.measure(
                generator: generator, rounds: rounds, plainFirst: n % 2 == 0,
                plain: {
                    generator.statistics = nil
                    return try generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens, speculate: false))
                },
                speculative: {
                    let session = SessionRecord(modelFingerprint: runtime.tokenizer.identity.fingerprint, index: index,
                                                configuration: #"{"demo":"\#(item.id)","maxTokens":\#(maxTokens)}"#)
                    try store.start(session)
                    generator.statistics = (writer, session.id)
                    defer { try? store.end(sessionID: session.id) }
                    return try generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens))
                })
            let identical = (plainRuns + fastRuns).allSatisfy { $0.tokens == plainRuns[0].tokens }
            let plain = Summed(plainRuns), fast = Summed(fastRuns)
            plainTokens += plain.tokens; plainSeconds += plain.seconds
            fastTokens += fast.tokens; fastSeconds += fast.seconds; steps += fast.steps
            print(item.id.padding(toLength: 9, withPad: " ", startingAt: 0) + item.kind.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: " %9.1f %10.1f %8.2fx %6.2f %5.1f  %@",
                         plain.tokensPerSecond, fast.tokensPerSecond, fast.tokensPerSecond / max(plain.tokensPerSecond, 1e-9),
                         fast.meanAcceptedTokens, fast.meanTreeSize, (identical ? "yes" : "NO") as NSString))
        }
        let plainRate = Double(plainTokens) / max(plainSeconds, 1e-9), fastRate = Double(fastTokens) / max(fastSeconds, 1e-9)
        print("total".padding(toLength: 29, withPad: " ", startingAt: 0) + String(format: " %9.1f %10.1f %8.2fx %6.2f", plainRate, fastRate, fastRate / plainRate,
                     Double(fastTokens) / Double(max(steps, 1))))
        print("\nstatistics of the speculative runs: \(statsPath) (see `retrace stats`)")
    }

    /// Several runs of one prompt as one: tokens and seconds (prompt reading left out) summed.
    private struct Summed {
        var tokens = 0, seconds = 0.0, steps = 0, treeNodes = 0.0
        init(_ runs: [GenerationResult]) {
            for r in runs {
                tokens += r.tokens.count
                seconds += r.totalSeconds - r.promptSeconds
                steps += r.steps
                treeNodes += r.meanTreeSize * Double(r.steps)
            }
        }
        var tokensPerSecond: Double { Double(tokens) / max(seconds, 1e-9) }
        var meanAcceptedTokens: Double { Double(tokens) / Double(max(steps, 1)) }
        var meanTreeSize: Double { treeNodes / Double(max(steps, 1)) }
    }
}
