import ArgumentParser
import Foundation
import RetraceCore
import RetraceIndex
import RetraceLlama

struct IndexAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Append documents (past generations) to an index's dynamic store, durably.",
        discussion: "Each batch is one committed transaction: once reported, it survives a crash and is searchable at once."
    )

    @Argument(help: "The index directory.")
    var index: String

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: InputOptions

    @Option(help: "Documents per committed batch.")
    var batchSize = 64

    @Flag(help: "Print one line per committed batch.")
    var verbose = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        let index = try TokenIndex(path: self.index)
        let reader = input.reader
        _ = try reader.sources()
        var tokenizer: (any Tokenizer)?
        if !input.pretokenized {
            let t = try model.loadTokenizer()
            try index.requireTokenizer(t.identity)
            tokenizer = t
        }
        var batch: [[TokenID]] = []
        var committed = 0
        func commit() throws {
            guard !batch.isEmpty else { return }
            try index.append(documents: batch)
            committed += batch.count
            batch.removeAll()
            if verbose {
                // Unbuffered, so a watcher sees each commit as it happens.
                FileHandle.standardOutput.write(Data("committed \(committed) documents\n".utf8))
            }
        }
        let (tokens, _) = try readDocuments(reader, tokenizer: tokenizer, label: "adding") { doc in
            batch.append(doc)
            if batch.count >= batchSize { try commit() }
        }
        try commit()
        let stats = try index.dynamicStatistics()
        print("added \(committed) documents (\(tokens) tokens); dynamic store now holds \(stats.documents) documents, \(stats.tokens) tokens")
    }
}
