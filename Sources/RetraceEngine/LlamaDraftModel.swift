import Foundation
public import RetraceCore
public import RetraceLlama
public import RetraceSpeculation

/// A llama.cpp model drafting for the target in its own context: it reads its own prompt (the
/// target's, or a shortened one, as in RAPID), follows the committed text, and grows a draft
/// greedily — the likeliest token at each depth, its runners-up as leaves — until the path's
/// probability no longer pays for another decode. Its KV cache holds exactly the committed
/// text between drafts. Its prompt can be replaced while it follows the output (RAPID's
/// re-ranked context): the cache keeps what the new prompt shares with the old one. The model
/// must share the target's vocabulary (checked by the caller through tokenizer fingerprints).
public final class LlamaDraftModel: DraftModel {
    public let context: LlamaContext
    /// Tokens in the KV cache (its prompt, then committed output), and ones still to decode.
    private var inCache: [TokenID] = []
    private var pending: [TokenID] = []
    private var cached: Int { inCache.count }
    /// The prompt it reads now, and the output committed since ``start(prompt:)``.
    private var ownPrompt: [TokenID] = []
    private var output: [TokenID] = []
    /// Tokens of `pending` that are prompt (read again after a prompt change, or first read).
    private var pendingPrompt = 0
    /// Runners-up kept as leaves at each depth.
    public var alternatives = 2
    /// Relative cost of one draft decode against one target step.
    public var costPerDecode: Double
    /// The chain stops when its path probability no longer pays for another decode and the
    /// verification of the token (about this much of a target step).
    public var verificationCost = 0.2
    /// Seconds spent in the draft model's decodes so far, and in reading its prompt.
    public private(set) var seconds = 0.0
    public private(set) var promptSeconds = 0.0
    /// Drafts made.
    public private(set) var drafts = 0
    /// Replaces the prompt the model reads (RAPID: a shortened context); nil: the target's.
    public var promptOverride: [TokenID]?
    /// Asked every ``refreshInterval`` output tokens for a new prompt given the output so far
    /// (RAPID: the context re-ranked); nil keeps the prompt.
    public var promptRefresh: ((_ output: [TokenID]) -> [TokenID]?)?
    public var refreshInterval = 32
    /// Prompt changes, and the prompt tokens it had read that they made it read again.
    public private(set) var promptChanges = 0
    public private(set) var promptTokensReread = 0

    public init(context: LlamaContext, costPerDecode: Double = 0.5) {
        self.context = context
        self.costPerDecode = costPerDecode
    }

    public func start(prompt: [TokenID]) {
        ownPrompt = promptOverride ?? prompt
        context.clear()
        inCache = []
        output = []
        pending = ownPrompt
        pendingPrompt = ownPrompt.count
    }

    public func commit(_ tokens: [TokenID]) {
        pending += tokens
        let before = output.count / refreshInterval
        output += tokens
        if let promptRefresh, output.count / refreshInterval > before, let prompt = promptRefresh(output) {
            replacePrompt(with: prompt)
        }
    }

    /// Reads `prompt` instead of the current one from now on; the KV cache keeps the longest
    /// prefix the new prompt and output share with what it holds.
    public func replacePrompt(with prompt: [TokenID]) {
        guard prompt != ownPrompt else { return }
        let full = prompt + output
        var common = 0
        while common < inCache.count, common < full.count, inCache[common] == full[common] { common += 1 }
        // Prompt tokens read before that must be read again (the rest is read for the first time).
        promptTokensReread += max(0, min(inCache.count, ownPrompt.count) - common)
        if common < inCache.count {
            context.removeSequence(0, from: common)
            inCache.removeSubrange(common...)
        }
        pending = Array(full[common...])
        pendingPrompt = max(0, prompt.count - common)
        ownPrompt = prompt
        promptChanges += 1
    }

    private func decode(_ tokens: [TokenID], logitsOnLast: Bool) throws {
        let started = Date()
        defer { seconds += Date().timeIntervalSince(started) }
        var index = 0
        while index < tokens.count {
            let end = min(tokens.count, index + context.options.batchCapacity)
            try context.decode((index..<end).map {
                BatchRow(token: tokens[$0], position: cached + $0, sequences: [0], wantsLogits: logitsOnLast && $0 == tokens.count - 1)
            })
            index = end
        }
        inCache += tokens
    }

    public func draft(maxNodes: Int, maxDepth: Int) throws -> (tree: DraftTree, next: [TokenID: Double]) {
        guard !pending.isEmpty else { return (DraftTree(), [:]) }
        guard cached + pending.count + maxDepth < context.options.contextLength else { return (DraftTree(), [:]) }
        let before = seconds
        try decode(pending, logitsOnLast: true)
        // Prompt reading, first or after a prompt change, counted by its share of the batch.
        if pendingPrompt > 0 { promptSeconds += (seconds - before) * Double(pendingPrompt) / Double(pending.count) }
        pending = []
        pendingPrompt = 0
        drafts += 1
        let base = cached
        var tree = DraftTree()
        var next: [TokenID: Double] = [:]
        var parent = -1
        var path = 1.0
        var drafted: [TokenID] = []
        while tree.count < maxNodes, drafted.count < maxDepth {
            let top = context.topProbabilities(row: -1, count: alternatives + 1)
            if parent < 0 { for (t, p) in top { next[t] = p } }
            for (t, p) in top.dropFirst() where tree.count < maxNodes - 1 {
                tree.add(t, under: parent, score: p, source: DraftSources(.model))
            }
            let (best, p) = top[0]
            parent = tree.add(best, under: parent, score: p, source: DraftSources(.model))
            drafted.append(best)
            path *= p
            guard path >= costPerDecode + verificationCost, drafted.count < maxDepth, tree.count < maxNodes else { break }
            try decode([best], logitsOnLast: true)
        }
        // Back to the committed text: drop the drafted cells.
        context.removeSequence(0, from: base)
        inCache.removeSubrange(base...)
        return (tree, next)
    }
}
