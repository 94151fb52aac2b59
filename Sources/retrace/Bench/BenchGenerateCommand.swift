import ArgumentParser
import Foundation
import RetraceCore
import RetraceEngine
import RetraceLlama
import RetraceSpeculation

/// Speculative against plain decoding (and optionally llama.cpp's `llama-lookup`), per
/// category, on the same prompts in the same process.
struct BenchGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Tokens/s of speculative vs plain decoding per category, in one run (release build).")

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("prompts"), help: "JSONL prompt files (id, category, prompt); repeatable.")
    var promptFiles: [String]

    @Option(help: "Prompts per category.")
    var perCategory = 3

    @Option(help: "Only these categories (comma-separated).")
    var categories: String?

    @Option(help: "Tokens per prompt.")
    var maxTokens = 128

    @Option(help: "Index to draft from ('none' for context lookup only).")
    var index = Defaults.indexPath

    @Option(help: "Also run llama.cpp's llama-lookup (n-gram speculation) from this binary on each prompt, after all the paired runs.")
    var llamaLookup: String?

    @Option(help: "Rounds per prompt: 1 runs plain and speculative once (alternating which goes first), 2 runs them ABBA.")
    var rounds = 2

    @Option(help: "The sizer's minimum promised gain over a plain step (a large value drafts nothing: a control run).")
    var minimumGain: Double?

    @Flag(help: "Print JSON.")
    var json = false

    struct Row: Encodable {
        var category: String
        var prompts = 0
        var identical = 0
        var plainTokens = 0
        var plainSeconds = 0.0
        var speculativeTokens = 0
        var speculativeSeconds = 0.0
        var steps = 0
        var proposedNodes = 0
        var draftSeconds = 0.0
        var lookupTokens = 0
        var lookupSeconds = 0.0

        var plainTokensPerSecond: Double { Double(plainTokens) / max(plainSeconds, 1e-9) }
        var speculativeTokensPerSecond: Double { Double(speculativeTokens) / max(speculativeSeconds, 1e-9) }
        var speedup: Double { speculativeTokensPerSecond / plainTokensPerSecond }
        var mat: Double { Double(speculativeTokens) / Double(max(steps, 1)) }
        var meanTreeSize: Double { Double(proposedNodes) / Double(max(steps, 1)) }
        var lookupRatio: Double? { lookupTokens == 0 ? nil : (Double(lookupTokens) / lookupSeconds) / plainTokensPerSecond }

        enum CodingKeys: String, CodingKey {
            case category, prompts, identical, plainTokensPerSecond, speculativeTokensPerSecond, speedup, mat, meanTreeSize, draftSeconds, lookupRatio
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(category, forKey: .category)
            try c.encode(prompts, forKey: .prompts)
            try c.encode(identical, forKey: .identical)
            try c.encode(plainTokensPerSecond, forKey: .plainTokensPerSecond)
            try c.encode(speculativeTokensPerSecond, forKey: .speculativeTokensPerSecond)
            try c.encode(speedup, forKey: .speedup)
            try c.encode(mat, forKey: .mat)
            try c.encode(meanTreeSize, forKey: .meanTreeSize)
            try c.encode(draftSeconds, forKey: .draftSeconds)
            try c.encodeIfPresent(lookupRatio, forKey: .lookupRatio)
        }
    }

    func validate() throws {
        if perCategory < 1 { throw ValidationError("--per-category must be at least 1") }
        if !(1...(1 << 24)).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to \(1 << 24)") }
        if !(1...16).contains(rounds) { throw ValidationError("--rounds must be from 1 to 16") }
        if let minimumGain, !(minimumGain.isFinite && minimumGain >= 0) { throw ValidationError("--minimum-gain must be a finite number, 0 or more") }
    }

    func run() async throws {
        let wanted = categories.map { Set($0.split(separator: ",").map(String.init)) }
        var items: [PromptItem] = []
        var perCategoryCount: [String: Int] = [:]
        for file in promptFiles {
            for item in try PromptItem.read(file, limit: nil) {
                let category = item.category ?? URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
                if let wanted, !wanted.contains(category) { continue }
                if perCategoryCount[category, default: 0] >= perCategory { continue }
                perCategoryCount[category, default: 0] += 1
                items.append(PromptItem(id: item.id, category: category, prompt: item.prompt))
            }
        }
        guard !items.isEmpty else {
            throw CLIError("no prompts to run: the files hold none\(categories.map { " in the categories \($0)" } ?? "")")
        }
        let runtime = try TargetRuntime(modelPath: model.modelPath, indexPath: index == "none" ? nil : index, contextLength: 4096)
        if let minimumGain { runtime.generator.sizer.minimumGain = minimumGain }
        if !runtime.costIsMeasured { printError("note: no measured cost curve (run `retrace calibrate`); using the reference curve") }
        var rows: [String: Row] = [:]
        var order: [String] = []
        for (n, item) in items.enumerated() {
            let category = item.category!
            if rows[category] == nil { rows[category] = Row(category: category); order.append(category) }
            let prompt = try runtime.promptTokens(item.prompt, raw: false)
            // Each prompt runs plain, speculative, speculative, plain (ABBA), every speculative
            // output checked (see PairedRuns).
            let (plain, fast) = try PairedRuns.measure(
                generator: runtime.generator, rounds: rounds, plainFirst: n % 2 == 0,
                plain: { try runtime.generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens, speculate: false)) },
                speculative: { try runtime.generator.generate(prompt: prompt, options: GenerationOptions(maxTokens: maxTokens)) })
            let identical = fast.allSatisfy { $0.tokens == plain[0].tokens } && plain.allSatisfy { $0.tokens == plain[0].tokens }
            rows[category]!.prompts += 1
            if identical { rows[category]!.identical += 1 }
            for p in plain {
                rows[category]!.plainTokens += p.tokens.count
                rows[category]!.plainSeconds += p.totalSeconds - p.promptSeconds
            }
            for f in fast {
                rows[category]!.speculativeTokens += f.tokens.count
                rows[category]!.speculativeSeconds += f.totalSeconds - f.promptSeconds
                rows[category]!.steps += f.steps
                rows[category]!.proposedNodes += f.proposedNodes
                rows[category]!.draftSeconds += f.draftSeconds
            }
            printError(String(format: "[%d/%d] %@ %@: plain %.1f t/s, speculative %.1f t/s (MAT %.2f)%@", n + 1, items.count, category, item.id,
                              plain[0].tokensPerSecond, fast[0].tokensPerSecond, fast[0].meanAcceptedTokens, identical ? "" : "  OUTPUT DIFFERS"))
        }
        // llama-lookup runs after all paired runs, so that no other process loading its own copy
        // of the model runs between a prompt's plain and speculative runs.
        if let llamaLookup {
            for (n, item) in items.enumerated() {
                let text = try runtime.chatPrompt(item.prompt)
                if let (tokens, seconds) = try runLookup(llamaLookup, prompt: text) {
                    rows[item.category!]!.lookupTokens += tokens
                    rows[item.category!]!.lookupSeconds += seconds
                }
                printError("[lookup \(n + 1)/\(items.count)] \(item.category!) \(item.id)")
            }
        }
        let table = order.map { rows[$0]! }
        if json { try printJSON(table); return }
        print("category         prompts identical  plain t/s  spec t/s  speedup   MAT  tree\(llamaLookup == nil ? "" : "  lookup/plain")")
        for r in table {
            print(r.category.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %7d %9d %10.1f %9.1f %7.2fx %5.2f %5.1f", r.prompts, r.identical,
                         r.plainTokensPerSecond, r.speculativeTokensPerSecond, r.speedup, r.mat, r.meanTreeSize)
                  + (r.lookupRatio.map { String(format: " %12.2fx", $0) } ?? ""))
        }
    }

    /// Runs llama-lookup on one prompt; returns tokens decoded and seconds, from its own report.
    private func runLookup(_ binary: String, prompt: String) throws -> (Int, Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model.modelPath, "-p", prompt, "-n", "\(maxTokens)", "-t", "2", "-fa", "on", "-c", "4096",
                             "--spec-draft-n-max", "8", "--temp", "0", "--seed", "1"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("decoded") && $0.contains("speed:") }) else {
            printError("llama-lookup gave no timing: \(text.suffix(300))")
            return nil
        }
        let numbers = line.split(whereSeparator: { " ,:".contains($0) }).compactMap { Double($0) }
        guard numbers.count >= 2 else { return nil }
        return (Int(numbers[0]), numbers[1])
    }
}
