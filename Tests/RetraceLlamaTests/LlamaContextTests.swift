import Foundation
import Testing
import RetraceCore
import RetraceTestSupport
@testable import RetraceLlama

/// Speculation is lossless only if a batch of tokens (a chain or a tree) gets exactly the logits
/// that decoding the same tokens one at a time gets. Retrace's llama.cpp patch (tools/patches)
/// makes that so; this test fails if the installed library is unpatched or the patch stops holding.
@Suite struct LlamaContextTests {
    @Test func batchedRowsGetBitIdenticalLogitsToSingleTokenDecoding() throws {
        let model = try LlamaModel(path: TestPaths.defaultModel)
        let context = try LlamaContext(model: model, options: ContextOptions(contextLength: 1024, batchCapacity: 256))
        let tokenizer = LlamaTokenizer(model: model)
        let paragraph = """
        The suffix array of a text lists the starting positions of all its suffixes in sorted order. \
        It answers substring queries with two binary searches, and with a bucket table over the first \
        symbol most of the search happens in one small range of memory.

        """
        var tokens: [TokenID] = []
        while tokens.count < 640 { tokens += try tokenizer.tokenize(paragraph, addSpecial: false, parseSpecial: false) }
        // A prefix past 512 cached tokens, where llama.cpp would otherwise split single-token attention.
        let prefix = Array(tokens[..<600])
        let tail = Array(tokens[600..<614])

        func prefill() throws {
            context.clear()
            for start in stride(from: 0, to: prefix.count, by: 256) {
                let end = min(start + 256, prefix.count)
                try context.decode((start..<end).map {
                    BatchRow(token: prefix[$0], position: $0, sequences: [0], wantsLogits: false)
                })
            }
        }

        try prefill()
        var single: [[Float]] = []
        for (i, token) in tail.enumerated() {
            try context.decode([BatchRow(token: token, position: prefix.count + i, sequences: [0], wantsLogits: true)])
            single.append(Array(context.logits(row: 0)))
        }

        // Batches of 7, 5 and 2 rows exercise every column-group remainder of the patched kernel.
        try prefill()
        var batched: [[Float]] = []
        var offset = 0
        for size in [7, 5, 2] {
            try context.decode((offset..<offset + size).map {
                BatchRow(token: tail[$0], position: prefix.count + $0, sequences: [0], wantsLogits: true)
            })
            for row in 0..<size { batched.append(Array(context.logits(row: row))) }
            offset += size
        }

        #expect(batched.count == single.count)
        for (i, (a, b)) in zip(single, batched).enumerated() {
            let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "position \(prefix.count + i): \(differing) of \(a.count) logits differ between batched and single-token decoding")
        }

        // A tree, laid out as the generator lays it out: the path's second and third tokens sit
        // after a sibling branch, so they attend to cells with a gap in the cache between them.
        try prefill()
        context.copySequence(0, to: 1)
        context.copySequence(0, to: 2)
        let p = prefix.count
        try context.decode([
            BatchRow(token: tail[0], position: p, sequences: [0, 1, 2], wantsLogits: true),
            BatchRow(token: tail[5], position: p + 1, sequences: [1], wantsLogits: true),
            BatchRow(token: tail[1], position: p + 1, sequences: [2], wantsLogits: true),
            BatchRow(token: tail[2], position: p + 2, sequences: [2], wantsLogits: true),
        ])
        for (row, position) in [(0, 0), (2, 1), (3, 2)] {
            let differing = zip(single[position], context.logits(row: row)).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "tree row \(row): \(differing) logits differ from single-token decoding")
        }
    }

    @Test func topTokensAreTheLargestLogitsArgmaxFirst() throws {
        let model = try LlamaModel(path: TestPaths.defaultModel)
        let context = try LlamaContext(model: model, options: ContextOptions(contextLength: 256, batchCapacity: 64))
        let tokens = try LlamaTokenizer(model: model).tokenize("The capital of France is", addSpecial: false, parseSpecial: false)
        try context.decode(tokens.enumerated().map { BatchRow(token: $1, position: $0, sequences: [0], wantsLogits: true) })
        for row in tokens.indices {
            let top = context.topTokens(row: row, count: 8)
            let logits = Array(context.logits(row: row))
            let sorted = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
            #expect(top == sorted.prefix(8).map { TokenID($0) })
            #expect(top.first == context.argmax(row: row))
        }
    }
}
