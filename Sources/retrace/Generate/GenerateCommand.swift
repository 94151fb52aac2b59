import ArgumentParser
import Foundation
import RetraceCore
import RetraceEngine
import RetraceIndex
import RetraceLlama
import RetraceStats

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate greedily with the target model, speculating with retrieval drafts (output identical to plain decoding).")

    @OptionGroup var model: ModelOptions

    @Option(help: "Index to draft from (default: indexes/default when it exists; 'none' for context lookup only).")
    var index: String?

    @Option(help: "One prompt (formatted with the model's chat template).")
    var prompt: String?

    @Option(help: "JSONL prompts with id and prompt (the format of ../shared/data/*/prompts.jsonl).")
    var prompts: String?

    @Option(help: "Only the first N prompts of --prompts.")
    var limit: Int?

    @Option(help: "Tokens to generate at most per prompt.")
    var maxTokens = 128

    @Option(help: "Context window (KV cache) in tokens.")
    var context = 4096

    @Flag(help: "Plain greedy decoding, no drafts (the baseline).")
    var noSpeculate = false

    @Flag(help: "Use the prompt text as is, without the chat template.")
    var rawPrompt = false

    @Flag(help: "Do not add the generated text to the index's dynamic store and n-gram tries.")
    var noIngest = false

    @Option(help: "Tenant: its prompts and outputs also feed an n-gram trie of its own, drafted from first; recorded with the statistics.")
    var tenant: String?

    @Option(help: "Statistics database (default: $RETRACE_HOME/stats.sqlite); it also keeps what the drafter learned, per model and index, for the next run.")
    var stats: String?

    @Flag(help: "Print one JSON object per prompt instead of streaming text.")
    var json = false

    func validate() throws {
        if (prompt == nil) == (prompts == nil) { throw ValidationError("give exactly one of --prompt and --prompts") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if context < 64 { throw ValidationError("--context must be at least 64") }
        if let prompt, prompt.isEmpty { throw ValidationError("--prompt is empty") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let tenant {
            guard !tenant.isEmpty else { throw ValidationError("--tenant is empty") }
            try TokenIndex.validateTrieScope(StoredTries.tenantScope(tenant))
        }
    }

    struct Output: Encodable {
        var id: String
        var category: String?
        var speculative: Bool
        var prompt_tokens: Int
        var output_tokens: [TokenID]
        var output_text: String
        var stop: String
        var tokens_per_second: Double
        var steps: Int
        var mat: Double
        var mean_tree_size: Double
        var draft_seconds: Double
        var verify_seconds: Double
        var accepted_by_source: [String: Int]
        var session: String
    }

    func run() async throws {
        let items = try prompts.map { try PromptItem.read($0, limit: limit) } ?? [PromptItem(id: "prompt", category: nil, prompt: prompt!)]
        let indexPath: String? = switch index {
        case "none": nil
        case nil: FileManager.default.fileExists(atPath: Defaults.indexPath + "/data.mdb") ? Defaults.indexPath : nil
        case let path?: path
        }
        let runtime = try TargetRuntime(modelPath: model.modelPath, indexPath: indexPath, contextLength: context)
        if !runtime.costIsMeasured && !noSpeculate {
            printError("note: no cost curve for this model yet (run `retrace calibrate`); using this machine's reference curve")
        }
        let store = try StatsStore(path: stats ?? Defaults.statsPath)
        let generator = runtime.generator
        let calibrationScope = StoredCalibration.scope(modelFingerprint: runtime.tokenizer.identity.fingerprint, index: indexPath ?? "none")
        if !noSpeculate {
            do {
                try StoredCalibration.load(into: generator, from: store, scope: calibrationScope)
            } catch {
                printError("warning: part of the stored drafter calibration is unreadable (\(error)); that part starts from the prior and will be rewritten")
            }
            if let index = runtime.index { try StoredTries.load(into: generator, from: index, tenant: tenant) }
        }
        let writer = store.makeWriter()
        defer { writer.close() }
        for item in items {
            let tokens = try runtime.promptTokens(item.prompt, raw: rawPrompt)
            let session = SessionRecord(
                tenant: tenant ?? "default", modelFingerprint: runtime.tokenizer.identity.fingerprint, index: indexPath ?? "none",
                configuration: #"{"speculate":\#(!noSpeculate),"maxTokens":\#(maxTokens),"context":\#(context),"prompt":"\#(item.id)"}"#)
            try store.start(session)
            generator.statistics = (writer, session.id)
            var stream = UTF8StreamDecoder()
            let result = try generator.generate(prompt: tokens, options: GenerationOptions(maxTokens: maxTokens, speculate: !noSpeculate)) { new in
                guard !json else { return }
                var text = ""
                for token in new where !runtime.model.isEndOfGeneration(token) {
                    if let bytes = try? runtime.tokenizer.pieceBytes(token) { text += stream.append(bytes) }
                }
                if !text.isEmpty { print(text, terminator: "") }
            }
            if !json { print(stream.finish(), terminator: "") }
            try store.end(sessionID: session.id)
            if !noSpeculate { try StoredCalibration.save(from: generator, to: store, scope: calibrationScope) }
            if let index = runtime.index, !noIngest {
                try index.append(documents: [result.tokens.filter { !runtime.model.isEndOfGeneration($0) }])
                if !noSpeculate { try StoredTries.save(from: generator, to: index, tenant: tenant) }
            }
            let text = try runtime.tokenizer.detokenize(result.tokens.filter { !runtime.model.isEndOfGeneration($0) })
            if json {
                try printJSONLine(Output(
                    id: item.id, category: item.category, speculative: !noSpeculate, prompt_tokens: tokens.count,
                    output_tokens: result.tokens, output_text: text, stop: result.stop.rawValue,
                    tokens_per_second: result.tokensPerSecond, steps: result.steps, mat: result.meanAcceptedTokens,
                    mean_tree_size: result.meanTreeSize, draft_seconds: result.draftSeconds, verify_seconds: result.verifySeconds,
                    accepted_by_source: result.acceptedBySource, session: session.id))
            } else {
                print("")
                printError(String(format: "[%@] %d tokens, %.1f tokens/s, %d steps, MAT %.2f, mean tree %.1f, draft %.3f s, verify %.3f s",
                                  item.id, result.tokens.count, result.tokensPerSecond, result.steps, result.meanAcceptedTokens,
                                  result.meanTreeSize, result.draftSeconds, result.verifySeconds))
            }
        }
    }
}
