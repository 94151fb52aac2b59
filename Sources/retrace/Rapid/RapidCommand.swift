import ArgumentParser
import Foundation
import RetraceCore
import RetraceEngine
import RetraceIndex
import RetraceLlama
import RetraceSpeculation
import RetraceStats

/// Long-context batch jobs in the style of RAPID: the target reads everything, a drafter model
/// reads a retrieved, shortened context, the live context proposes copies from the document,
/// and the output stays the target's own greedy output on the full context.
struct RapidCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapid",
        abstract: "Run long-context jobs (documents + instruction) with retrieval and drafter-model speculation; lossless.",
        discussion: """
        Each line of --jobs is a JSON object with "id" and "document" (or "documents") and \
        "instruction", or a ready "prompt". The target model reads the whole text; the drafter \
        model reads the document's chunks that rank best (BM25) against the instruction, within \
        --context-budget tokens, ranked again every --rerank-every output tokens against the \
        instruction and the recent output. Results go to --out as JSONL; ids already there are skipped, so \
        an interrupted run resumes. Malformed lines are reported with their line number and skipped.
        """)

    @OptionGroup var model: ModelOptions

    @Option(help: "Jobs (JSONL).")
    var jobs: String

    @Option(help: "Drafter model GGUF with the target's vocabulary (default: the target model itself, reading the shortened context; 'none': retrieval drafts only).")
    var draftModel: String?

    @Option(help: "Results (JSONL; appended, and read to skip finished jobs).")
    var out = "rapid-results.jsonl"

    @Option(help: "Tokens of the document the drafter model reads.")
    var contextBudget = 1536

    @Option(help: "Tokens to generate at most per job.")
    var maxTokens = 256

    @Option(help: "Rank the document's chunks again for the drafter model every N output tokens, against the instruction and the recent output (0: never).")
    var rerankEvery = 32

    @Option(help: "Index to draft from as well ('none' by default: long jobs draft from their own document).")
    var index = "none"

    @Flag(help: "Plain greedy decoding, no drafts (the baseline).")
    var noSpeculate = false

    @Flag(help: "Use the job's text as is, without the chat template (base models such as Gemma-3-270M).")
    var rawPrompt = false

    @Flag(help: "Retrieval drafts only (no drafter model).")
    var noDraftModel = false

    @Option(help: "Drafting sources (comma-separated: \(DraftSource.allCases.map(\.description).joined(separator: ", "))).")
    var sources = SourceList.all

    @Flag(help: "Use the drafter model even when reading its prompt cannot pay back within --max-tokens (for measurement).")
    var forceDraftModel = false

    @Option(help: "Statistics database (default: $RETRACE_HOME/stats.sqlite).")
    var stats: String?

    func validate() throws {
        // Upper bounds far above any model's context, so size arithmetic cannot overflow; the
        // per-job check against the model's context gives the real limit.
        if !(64...(1 << 24)).contains(contextBudget) { throw ValidationError("--context-budget must be from 64 to \(1 << 24)") }
        if !(1...(1 << 24)).contains(maxTokens) { throw ValidationError("--max-tokens must be from 1 to \(1 << 24)") }
        if !(0...(1 << 24)).contains(rerankEvery) { throw ValidationError("--rerank-every must be from 0 to \(1 << 24)") }
    }

    struct Result: Encodable {
        var id: String
        var prompt_tokens: Int
        var draft_prompt_tokens: Int?
        var output_tokens: [TokenID]
        var output_text: String
        var stop: String
        var tokens_per_second: Double
        var steps: Int
        var mat: Double
        var draft_seconds: Double
        var verify_seconds: Double
        var drafter_model_seconds: Double?
        var drafter_model_prompt_seconds: Double?
        var drafter_model_drafts: Int?
        /// Times the re-ranked context changed, and the prompt tokens the drafter read again.
        var drafter_model_prompt_changes: Int?
        var drafter_model_prompt_tokens_reread: Int?
        var accepted_by_source: [String: Int]
        /// Share of output tokens each source proposed (sources that agreed share a token), and
        /// the target's own tokens (the bonus token of every step).
        var token_shares: [String: Double]
        var mode: String
        var session: String
    }

    struct Failure: Encodable {
        var id: String
        var error: String
    }

    func run() async throws {
        let (all, problems) = try RapidJob.read(jobs)
        for problem in problems { printError(problem) }
        let finished = RapidJob.finishedIDs(in: out)
        let todo = all.filter { !finished.contains($0.id) }
        if todo.count < all.count { printError("\(all.count - todo.count) jobs already in \(out); \(todo.count) to run") }
        guard !todo.isEmpty else { return }

        let target = try LlamaModel(path: model.modelPath)
        let tokenizer = LlamaTokenizer(model: target)
        let template = rawPrompt ? nil : try ChatTemplate(model: target)
        // The job's text as the model reads it: in its chat template, or raw with the tokenizer's BOS.
        let encode: (String) throws -> [TokenID] = { text in
            guard let template else { return try tokenizer.tokenize(text, addSpecial: true, parseSpecial: false) }
            return try tokenizer.tokenize(try template.format(user: text), addSpecial: false, parseSpecial: true)
        }
        let drafterModel = try loadDrafterModel(target: target, tokenizer: tokenizer)
        let store = try TokenIndex.open(option: index, for: tokenizer.identity)
        let cost = (try? TargetRuntime.loadCost(modelPath: model.modelPath)) ?? .fallback
        let statistics = try StatsStore(path: stats ?? Defaults.statsPath)
        let writer = statistics.makeWriter()
        defer { writer.close() }
        if !FileManager.default.fileExists(atPath: out) { _ = FileManager.default.createFile(atPath: out, contents: nil) }
        guard let output = FileHandle(forWritingAtPath: out) else { throw CLIError("cannot write \(out)") }
        try output.seekToEnd()
        defer { try? output.close() }

        // The sources that can draft in this run: no index source without an index, no model
        // source without a drafter model.
        let active = try SourceList.parse(sources).filter { ($0 != .index || store != nil) && ($0 != .model || drafterModel != nil) }
        let mode = noSpeculate ? "plain" : DraftSource.allCases.filter(active.contains).map(\.description).joined(separator: ",")
        var calibration = SourceCalibration()
        let progress = ProgressBar(label: "rapid", total: todo.count)
        var tokensDone = 0
        for (n, job) in todo.enumerated() {
            do {
                let result = try runJob(job, target: target, tokenizer: tokenizer, encode: encode, drafterModel: drafterModel,
                                        index: store, cost: cost, calibration: &calibration, writer: writer,
                                        statistics: statistics, mode: mode)
                tokensDone += result.output_tokens.count
                try output.write(contentsOf: try JSONLine.encode(result))
            } catch let error as CLIError {
                printError("job \(job.id): \(error.description)")
                try output.write(contentsOf: try JSONLine.encode(Failure(id: job.id, error: error.description)))
            } catch let error as LlamaError {
                printError("job \(job.id): \(error)")
                try output.write(contentsOf: try JSONLine.encode(Failure(id: job.id, error: "\(error)")))
            }
            progress.update(done: n + 1, tokens: tokensDone)
        }
        progress.finish(tokens: tokensDone)
        printError("results in \(out); statistics in \(stats ?? Defaults.statsPath)")
    }

    /// The drafter model: the given GGUF (refused unless its vocabulary is the target's), the
    /// target itself by default, none with --no-draft-model or --draft-model none.
    private func loadDrafterModel(target: LlamaModel, tokenizer: LlamaTokenizer) throws -> LlamaModel? {
        if noSpeculate || noDraftModel || draftModel == "none" { return nil }
        guard let path = draftModel, path != model.modelPath else { return target }
        let drafter = try LlamaModel(path: path)
        let identity = LlamaTokenizer(model: drafter).identity
        guard identity.fingerprint == tokenizer.identity.fingerprint else {
            throw CLIError("the drafter model \(path) has another vocabulary than the target (fingerprint \(identity.fingerprint), target \(tokenizer.identity.fingerprint)); its drafts cannot be verified")
        }
        return drafter
    }

    private func runJob(_ job: RapidJob, target: LlamaModel, tokenizer: LlamaTokenizer, encode: @escaping (String) throws -> [TokenID],
                        drafterModel: LlamaModel?, index: TokenIndex?, cost: CostModel,
                        calibration: inout SourceCalibration, writer: StatsWriter, statistics: StatsStore,
                        mode: String) throws -> Result {
        let prompt = try encode(job.targetText)
        let options = GenerationOptions(maxTokens: maxTokens, speculate: !noSpeculate)
        let needed = prompt.count + maxTokens + options.maxBatch + 16
        guard needed <= target.trainedContextLength else {
            throw CLIError("the prompt has \(prompt.count) tokens; with --max-tokens \(maxTokens) it needs \(needed), past the model's context of \(target.trainedContextLength)")
        }
        // The KV cache sized to the job.
        let context = try LlamaContext(model: target, options: ContextOptions(contextLength: (needed + 255) / 256 * 256))

        var draftPrompt: [TokenID]?
        var draft: LlamaDraftModel?
        if let drafterModel {
            let question = job.isPrompt ? RapidJob.splitPrompt(job.instruction).instruction : job.instruction
            var rapidContext = try RapidDraftContext(documents: job.documents, question: question, budget: contextBudget,
                                                     tokenizer: tokenizer, render: encode)
            let tokens = rapidContext.prompt
            // Same model: the cost of a drafter decode against a target step, from the target's curve.
            let ratio = drafterModel === target
                ? cost.milliseconds(batch: 1, context: tokens.count) / cost.milliseconds(batch: 1, context: prompt.count) : 0.5
            // The hybrid policy up front: the drafter must read its prompt before it drafts; if even
            // accepting every one of its tokens could not pay that back within --max-tokens, retrieval
            // drafts alone are used.
            // Reading n prompt tokens, in target steps.
            let readingCost = { (n: Int) in
                Double(n) / 64 * cost.relativeCost(batch: 64, context: tokens.count)
                    * cost.milliseconds(batch: 1, context: tokens.count) / cost.milliseconds(batch: 1, context: prompt.count)
            }
            // The most the drafter model can save in `n` more output tokens, in target steps.
            let bestGain = { (n: Int) in Double(n) * max(0, 1 - ratio) }
            if forceDraftModel || bestGain(maxTokens) > readingCost(tokens.count) {
                // Room for a re-ranked prompt of up to the whole budget in chunks.
                let draftContext = try LlamaContext(model: drafterModel, options: ContextOptions(
                    contextLength: min((tokens.count + contextBudget + maxTokens + 64 + 255) / 256 * 256, drafterModel.trainedContextLength),
                    batchCapacity: 512, maxSequences: 1))
                let model = LlamaDraftModel(context: draftContext, costPerDecode: ratio)
                model.promptOverride = tokens
                if rerankEvery > 0 {
                    // The same policy for a re-ranked context: what must be read again has to pay back
                    // within the tokens left (unless forced).
                    let maxTokens = maxTokens, forced = forceDraftModel
                    model.refreshInterval = rerankEvery
                    model.promptRefresh = { output in
                        rapidContext.rerank(after: output) { forced || bestGain(maxTokens - output.count) > readingCost($0) }
                    }
                }
                draft = model
                draftPrompt = tokens
            } else {
                printError("job \(job.id): drafter model not used: reading its \(tokens.count)-token prompt costs about "
                           + String(format: "%.0f target steps, more than the at most %.0f", readingCost(tokens.count), bestGain(maxTokens))
                           + " it could save in \(maxTokens) tokens (--force-draft-model to use it anyway)")
            }
        }
        var drafter = RetrievalDrafter(index: index, model: draft, settings: RetrievalDrafter.Settings(sources: try SourceList.parse(sources)))
        drafter.calibration = calibration
        let generator = SpeculativeGenerator(context: context, drafter: drafter, sizer: TreeSizer(cost: cost))
        let session = SessionRecord(modelFingerprint: tokenizer.identity.fingerprint, index: index?.path ?? "none",
                                    configuration: #"{"rapid":"\#(mode)","job":"\#(job.id)","maxTokens":\#(maxTokens),"contextBudget":\#(contextBudget)}"#)
        try statistics.start(session)
        generator.statistics = (writer, session.id)
        let result = try generator.generate(prompt: prompt, options: options)
        try statistics.end(sessionID: session.id)
        if let used = generator.drafter as? RetrievalDrafter { calibration = used.calibration }

        let visible = result.tokens.filter { !target.isEndOfGeneration($0) }
        var shares: [String: Double] = [:]
        let total = Double(max(result.tokens.count, 1))
        for (source, n) in result.acceptedBySource { shares[source] = Double(n) / total }
        shares["target"] = Double(min(result.steps, result.tokens.count)) / total
        return Result(id: job.id, prompt_tokens: prompt.count, draft_prompt_tokens: draftPrompt?.count, output_tokens: result.tokens,
                      output_text: try tokenizer.detokenize(visible), stop: result.stop.rawValue,
                      tokens_per_second: result.tokensPerSecond, steps: result.steps, mat: result.meanAcceptedTokens,
                      draft_seconds: result.draftSeconds, verify_seconds: result.verifySeconds,
                      drafter_model_seconds: draft?.seconds, drafter_model_prompt_seconds: draft?.promptSeconds,
                      drafter_model_drafts: draft?.drafts, drafter_model_prompt_changes: draft?.promptChanges,
                      drafter_model_prompt_tokens_reread: draft?.promptTokensReread, accepted_by_source: result.acceptedBySource,
                      token_shares: shares, mode: mode, session: session.id)
    }
}
