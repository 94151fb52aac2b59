public import RetraceCore
public import RetraceLlama
public import RetraceSpeculation

extension TraceReplay.RecordedTarget {
    /// The target's top tokens before every token of `output`, from one teacher-forced pass of
    /// `context`'s model over `prompt` and `output` (in batches of the context's capacity; the
    /// cache is cleared first and left holding the pass).
    public static func teacherForced(prompt: [TokenID], output: [TokenID], context: LlamaContext,
                                     topCount: Int = 8) throws -> Self {
        guard !prompt.isEmpty else { throw LlamaError.decode("the prompt is empty") }
        guard !output.isEmpty else { return Self(topTokens: []) }
        let sequence = prompt + output.dropLast()
        guard sequence.count <= context.options.contextLength else {
            throw LlamaError.contextFull(limit: context.options.contextLength)
        }
        context.clear()
        // Row i of `sequence` predicts output token i - (prompt.count - 1).
        let firstPredicting = prompt.count - 1
        var topTokens: [[TokenID]] = []
        topTokens.reserveCapacity(output.count)
        var start = 0
        while start < sequence.count {
            let end = min(sequence.count, start + context.options.batchCapacity)
            try context.decode((start..<end).map {
                BatchRow(token: sequence[$0], position: $0, sequences: [0], wantsLogits: $0 >= firstPredicting)
            })
            for position in max(start, firstPredicting)..<max(end, firstPredicting) {
                topTokens.append(context.topTokens(row: position - start, count: topCount))
            }
            start = end
        }
        return Self(topTokens: topTokens)
    }
}
