import Foundation
public import RetraceCore
public import RetraceLlama
public import RetraceSpeculation
public import RetraceStats

/// Greedy generation with retrieval drafts, verified by the target model one tree per
/// `llama_decode`. Output is token-for-token the target's own greedy output: every emitted
/// token is the target's argmax after a prefix it has itself produced.
///
/// Each step decodes the *pending* tokens (committed but not yet in the KV cache: the last
/// bonus token, and an accepted path that could not be kept in place) followed by the tree,
/// depth-first with the best path first, each leaf its own KV-cache sequence. Every committed
/// token is cached in sequence 0 and in every branch sequence at once, so a tree sees the
/// committed text without copying it into its branches (llama.cpp's `seq_cp` costs a set
/// insertion per cell and sequence: about 0.3 ms a step at 900 tokens of context, growing with
/// it), and a step's bookkeeping touches only the tree's own cells. When the accepted path is
/// the leading path its cells are contiguous and in position order, and they are kept (joined
/// to every sequence); otherwise every tree cell is dropped and the accepted tokens are decoded
/// again at the front of the next batch, because cells left out of position order change
/// later logits.
public final class SpeculativeGenerator {
    public let context: LlamaContext
    public var drafter: any Drafter
    public var sizer: TreeSizer
    public var statistics: (writer: StatsWriter, sessionID: String)?
    /// Step number within the current generation (its statistics session).
    private var stepNumber = 0

    public init(context: LlamaContext, drafter: any Drafter, sizer: TreeSizer) {
        self.context = context
        self.drafter = drafter
        self.sizer = sizer
    }

    /// Generates up to `options.maxTokens` tokens after `prompt` (already formatted and tokenized).
    public func generate(prompt: [TokenID], options: GenerationOptions,
                         onTokens: ([TokenID]) -> Void = { _ in }) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw LlamaError.decode("the prompt is empty") }
        guard options.maxTokens > 0 else { throw LlamaError.decode("max tokens must be positive") }
        let vocabulary = context.vocabularySize
        if let bad = prompt.first(where: { Int($0) >= vocabulary }) {
            throw LlamaError.tokenization("prompt token \(bad) is outside the vocabulary (size \(vocabulary))")
        }
        let limit = context.options.contextLength
        guard options.maxTokens <= limit - prompt.count - options.maxBatch else {  // no overflow on huge requests
            throw LlamaError.decode("prompt (\(prompt.count) tokens) plus --max-tokens \(options.maxTokens) does not fit the context window of \(limit) tokens")
        }
        let clock = ContinuousClock()
        let start = clock.now
        context.clear()
        // Sequences every committed token is cached in: 0 and one per possible tree leaf.
        let branchLimit = options.speculate ? max(0, min(sizer.maxLeaves, context.options.maxSequences - 1)) : 0
        let committedSequences = Array(Int32(0)...Int32(branchLimit))
        // Prefill all but the last prompt token; the last one is the first step's pending token.
        var nPast = 0
        let prefill = prompt.dropLast()
        var index = prefill.startIndex
        while index < prefill.endIndex {
            let end = min(prefill.endIndex, index + context.options.batchCapacity)
            try context.decode(prefill[index..<end].enumerated().map { i, t in
                BatchRow(token: t, position: nPast + i, sequences: committedSequences, wantsLogits: false)
            })
            nPast += end - index
            index = end
        }
        let promptSeconds = (clock.now - start).seconds
        if options.speculate { drafter.start(prompt: prompt) }
        stepNumber = 0

        var pending: [TokenID] = [prompt[prompt.count - 1]]
        var output: [TokenID] = []
        var result = GenerationResult(promptTokens: prompt.count, tokens: [], stop: .maxTokens, steps: 0, proposedNodes: 0,
                                      acceptedBySource: [:], promptSeconds: promptSeconds, draftSeconds: 0,
                                      verifySeconds: 0, totalSeconds: 0)
        generation: while output.count < options.maxTokens {
            let draftStart = clock.now
            var tree = DraftTree()
            if options.speculate {
                tree = sizer.size(try drafter.draft(), pending: pending.count, context: nPast)
                // The sizer's own limits are usually tighter; then this returns the tree as it is.
                tree = tree.pruned(to: max(0, options.maxBatch - pending.count), maxLeaves: branchLimit)
            }
            let draftTime = clock.now - draftStart

            let verifyStart = clock.now
            let layout = TreeBatchLayout(tree)
            let branches = Int32(layout.leafCount)
            var rows = pending.enumerated().map { i, t in
                BatchRow(token: t, position: nPast + i, sequences: committedSequences, wantsLogits: i == pending.count - 1)
            }
            for node in layout.order {
                rows.append(BatchRow(token: tree.tokens[node], position: nPast + pending.count - 1 + tree.depths[node],
                                     sequences: Array(layout.sequenceRange[node]), wantsLogits: true))
            }
            let decodeStart = clock.now
            try context.decode(rows)
            sizer.cost.record(batch: rows.count, context: nPast, milliseconds: (clock.now - decodeStart).seconds * 1000)
            // The target's top tokens at every row: the first is its greedy choice, the rest feed
            // drafters that recycle them.
            let topCount = options.speculate ? options.topTokens : 1
            var topTokens = [[TokenID]](repeating: [], count: tree.count + 1)
            topTokens[0] = context.topTokens(row: pending.count - 1, count: topCount)
            var nodePredictions = [TokenID](repeating: 0, count: tree.count)
            for (i, node) in layout.order.enumerated() {
                topTokens[node + 1] = context.topTokens(row: pending.count + i, count: topCount)
                nodePredictions[node] = topTokens[node + 1][0]
            }
            let verdict = GreedyVerifier.verify(tree, predictions: TargetPredictions(
                rootPrediction: topTokens[0][0], nodePredictions: nodePredictions, topTokens: topTokens))

            // Commit in the KV cache.
            nPast += pending.count
            let k = verdict.acceptedNodes.count
            if branches > 0 && k > 0 && layout.isLeadingPath(verdict.acceptedNodes) {
                // The leading path is leaf 1's: drop every other branch's tree cells and leaf
                // 1's below the accepted depth, then cache the accepted cells in every sequence.
                if branches > 1 { for s in 2...branches { context.removeSequence(s, from: nPast) } }
                context.removeSequence(1, from: nPast + k)
                for s in committedSequences where s != 1 {
                    context.copySequence(1, to: s, positions: nPast..<(nPast + k))
                }
                nPast += k
                pending = [verdict.tokens[k]]
            } else {
                if branches > 0 { for s in 1...branches { context.removeSequence(s, from: nPast) } }
                pending = verdict.tokens
            }
            let verifyTime = clock.now - verifyStart
            if options.speculate {
                drafter.learn(from: tree, result: verdict)
                drafter.commit(verdict.tokens)
            }

            result.steps += 1
            result.proposedNodes += tree.count
            result.draftSeconds += draftTime.seconds
            result.verifySeconds += verifyTime.seconds
            for (source, n) in verdict.creditedSources { result.acceptedBySource[source.description, default: 0] += n }
            statistics?.writer.record(StepRecord(
                sessionID: statistics!.sessionID, number: stepNumber, proposedNodes: tree.count,
                acceptedTokens: verdict.tokens.count,
                acceptedBySource: Dictionary(uniqueKeysWithValues: verdict.creditedSources.map { ($0.key.description, $0.value) }),
                draftMicroseconds: Int(draftTime.seconds * 1e6), verifyMicroseconds: Int(verifyTime.seconds * 1e6)))
            stepNumber += 1

            var emitted: [TokenID] = []
            for t in verdict.tokens {
                emitted.append(t)
                output.append(t)
                if options.stopAtEndOfGeneration && context.model.isEndOfGeneration(t) {
                    onTokens(emitted)
                    result.stop = .endOfGeneration
                    break generation
                }
                if output.count >= options.maxTokens { break }
            }
            onTokens(emitted)
        }
        result.tokens = output
        result.totalSeconds = (clock.now - start).seconds
        return result
    }
}
