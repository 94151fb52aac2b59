internal import CLlama
public import RetraceCore
import Foundation

/// Runtime settings of a llama.cpp context. Plain and speculative runs must use the same.
public struct ContextOptions: Sendable, Equatable {
    /// KV-cache length in tokens.
    public var contextLength: Int
    /// Largest batch one `decode` may take.
    public var batchCapacity: Int
    /// Sequence ids available (one per tree leaf, plus sequence 0); llama.cpp allows 256.
    public var maxSequences: Int
    public var threads: Int
    /// Flash attention: on by default, since with it (and ubatches under 64 tokens) a
    /// batched tree gives the same logits as token-by-token decoding on the CPU.
    public var flashAttention: Bool

    public init(contextLength: Int = 4096, batchCapacity: Int = 512, maxSequences: Int = 64,
                threads: Int = 2, flashAttention: Bool = true) {
        self.contextLength = contextLength
        self.batchCapacity = batchCapacity
        self.maxSequences = maxSequences
        self.threads = threads
        self.flashAttention = flashAttention
    }
}

/// One row of a decode batch: a token at a position, in a set of sequences.
public struct BatchRow: Sendable, Equatable {
    public var token: TokenID
    public var position: Int
    public var sequences: [Int32]
    public var wantsLogits: Bool

    public init(token: TokenID, position: Int, sequences: [Int32], wantsLogits: Bool) {
        self.token = token
        self.position = position
        self.sequences = sequences
        self.wantsLogits = wantsLogits
    }
}

/// A llama.cpp inference context over a loaded model: the KV cache and `llama_decode`.
/// Not thread-safe: one owner drives it.
public final class LlamaContext {
    let handle: OpaquePointer
    public let model: LlamaModel
    public let options: ContextOptions
    private var batch: llama_batch
    private let batchSeqCapacity: Int32

    public init(model: LlamaModel, options: ContextOptions = ContextOptions()) throws {
        var params = llama_context_default_params()
        params.n_ctx = UInt32(options.contextLength)
        params.n_batch = UInt32(options.batchCapacity)
        params.n_ubatch = UInt32(options.batchCapacity)
        params.n_seq_max = UInt32(options.maxSequences)
        params.n_threads = Int32(options.threads)
        params.n_threads_batch = Int32(options.threads)
        params.flash_attn_type = options.flashAttention ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED
        params.kv_unified = true
        params.no_perf = true
        _ = LlamaRuntime.takeLastError()
        guard let ctx = llama_init_from_model(model.handle, params) else {
            throw LlamaError.invalidModel(path: model.path, reason: "cannot create a context: \(LlamaRuntime.takeLastError() ?? "unknown error")")
        }
        handle = ctx
        self.model = model
        self.options = options
        batchSeqCapacity = Int32(options.maxSequences)
        batch = llama_batch_init(Int32(options.batchCapacity), 0, batchSeqCapacity)
    }

    deinit {
        llama_batch_free(batch)
        llama_free(handle)
    }

    /// Vocabulary size of the model (the length of each logits row).
    public var vocabularySize: Int { model.vocabularySize }

    /// Evaluates `rows` in one `llama_decode`. Rows marked `wantsLogits` get logits, read with
    /// ``logits(row:)`` by their index in `rows`.
    public func decode(_ rows: [BatchRow]) throws {
        guard !rows.isEmpty else { return }
        guard rows.count <= options.batchCapacity else {
            throw LlamaError.decode("batch of \(rows.count) tokens exceeds the capacity \(options.batchCapacity)")
        }
        for (i, row) in rows.enumerated() {
            guard row.position < options.contextLength else {
                throw LlamaError.contextFull(limit: options.contextLength)
            }
            guard !row.sequences.isEmpty, row.sequences.count <= Int(batchSeqCapacity),
                  row.sequences.allSatisfy({ $0 >= 0 && $0 < batchSeqCapacity }) else {
                throw LlamaError.decode("row \(i) has invalid sequence ids \(row.sequences)")
            }
            batch.token[i] = llama_token(bitPattern: row.token)
            batch.pos[i] = llama_pos(row.position)
            batch.n_seq_id[i] = Int32(row.sequences.count)
            for (j, s) in row.sequences.enumerated() { batch.seq_id[i]![j] = s }
            batch.logits[i] = row.wantsLogits ? 1 : 0
        }
        batch.n_tokens = Int32(rows.count)
        let rc = llama_decode(handle, batch)
        guard rc == 0 else {
            throw rc == 1 ? LlamaError.contextFull(limit: options.contextLength)
                          : LlamaError.decode("llama_decode returned \(rc)")
        }
    }

    /// Logits of batch row `row` of the last decode.
    public func logits(row: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: llama_get_logits_ith(handle, Int32(row)), count: vocabularySize)
    }

    /// Index of the largest logit of `row` (ties: the lowest id, like llama.cpp's greedy sampler).
    public func argmax(row: Int) -> TokenID { TokenID(LogitRanking.argmax(logits(row: row))) }

    /// The `count` largest logits of `row`, best first (ties: the lower id first, so the first
    /// is always ``argmax(row:)``). One pass over the vocabulary, about as cheap as the argmax.
    public func topTokens(row: Int, count k: Int) -> [TokenID] {
        LogitRanking.top(max(1, k), of: logits(row: row)).map { TokenID($0) }
    }

    /// The `count` likeliest tokens of `row` with their probabilities (softmax over the whole
    /// vocabulary), best first.
    public func topProbabilities(row: Int, count k: Int) -> [(token: TokenID, probability: Double)] {
        let top = topTokens(row: row, count: k)
        let l = logits(row: row)
        let maximum = Double(l[Int(top[0])])
        var sum = 0.0
        for v in l { sum += exp(Double(v) - maximum) }
        return top.map { ($0, exp(Double(l[Int($0)]) - maximum) / sum) }
    }

    private var memory: llama_memory_t { llama_get_memory(handle) }

    /// Drops every cached token.
    public func clear() { llama_memory_clear(memory, true) }

    /// Drops sequence `sequence`'s cells at positions from `start` on (all with `start` nil).
    public func removeSequence(_ sequence: Int32, from start: Int? = nil) {
        _ = llama_memory_seq_rm(memory, sequence, llama_pos(start ?? -1), -1)
    }

    /// Makes sequence `destination` share `source`'s cached cells (those at `positions`, or all).
    public func copySequence(_ source: Int32, to destination: Int32, positions: Range<Int>? = nil) {
        llama_memory_seq_cp(memory, source, destination, llama_pos(positions?.lowerBound ?? -1),
                            llama_pos(positions?.upperBound ?? -1))
    }

    /// Highest cached position of `sequence`, or -1 when it is empty.
    public func lastPosition(of sequence: Int32) -> Int {
        Int(llama_memory_seq_pos_max(memory, sequence))
    }
}
