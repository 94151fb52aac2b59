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

    @Option(help: "Statistics database (default: $RETRACE_HOME/stats.sqlite).")
    var stats: String?

    @OptionGroup var model: ModelOptions

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
            let session = SessionRecord(modelFingerprint: runtime.tokenizer.identity.fingerprint, index: index,
                                        configuration: #"{"demo":"\#(item.id)","maxTokens":\#(maxTokens)}"#)
            func runPlain() throws -> GenerationResult {
                generator.statistics = nil
                return try generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens, speculate: false))
            }
            func runSpeculative() throws -> GenerationResult {
                try store.start(session)
                generator.statistics = (writer, session.id)
                defer { try? store.end(sessionID: session.id) }
                return try generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens))
            }
            // Alternate which runs first, so drift in the machine's speed favours neither.
            let plain: GenerationResult, fast: GenerationResult
            if n % 2 == 0 {
                plain = try runPlain()
                fast = try runSpeculative()
            } else {
                fast = try runSpeculative()
                plain = try runPlain()
            }
            plainTokens += plain.tokens.count; plainSeconds += plain.totalSeconds - plain.promptSeconds
            fastTokens += fast.tokens.count; fastSeconds += fast.totalSeconds - fast.promptSeconds; steps += fast.steps
            print(item.id.padding(toLength: 9, withPad: " ", startingAt: 0) + item.kind.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: " %9.1f %10.1f %8.2fx %6.2f %5.1f  %@",
                         plain.tokensPerSecond, fast.tokensPerSecond, fast.tokensPerSecond / max(plain.tokensPerSecond, 1e-9),
                         fast.meanAcceptedTokens, fast.meanTreeSize, (plain.tokens == fast.tokens ? "yes" : "NO") as NSString))
        }
        let plainRate = Double(plainTokens) / max(plainSeconds, 1e-9), fastRate = Double(fastTokens) / max(fastSeconds, 1e-9)
        print("total".padding(toLength: 29, withPad: " ", startingAt: 0) + String(format: " %9.1f %10.1f %8.2fx %6.2f", plainRate, fastRate, fastRate / plainRate,
                     Double(fastTokens) / Double(max(steps, 1))))
        print("\nstatistics of the speculative runs: \(statsPath) (see `retrace stats`)")
    }
}
