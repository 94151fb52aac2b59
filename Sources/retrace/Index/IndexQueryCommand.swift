import ArgumentParser
import Foundation
import RetraceCore
import RetraceIndex
import RetraceLlama

struct IndexQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Find the longest suffix of a context in an index and what most often follows it.")

    @Argument(help: "The index directory.")
    var index: String

    @OptionGroup var model: ModelOptions

    @Option(help: "Context as text (tokenized with the model's tokenizer).")
    var text: String?

    @Option(help: "Context as comma-separated token ids.")
    var tokens: String?

    @Option(help: "Longest context suffix to match, in tokens.")
    var maxMatch = 16

    @Option(help: "Number of continuations.")
    var top = 8

    @Option(help: "Longest continuation, in tokens.")
    var length = 8

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if (text == nil) == (tokens == nil) { throw ValidationError("give exactly one of --text and --tokens") }
        if maxMatch < 1 || maxMatch > 1024 { throw ValidationError("--max-match must be between 1 and 1024") }
        if top < 1 || top > 1000 { throw ValidationError("--top must be between 1 and 1000") }
        if length < 1 || length > 1024 { throw ValidationError("--length must be between 1 and 1024") }
    }

    struct Output: Encodable {
        struct Item: Encodable {
            var tokens: [TokenID]
            var count: Int
            var text: String?
        }
        var context: [TokenID]
        var matchLength: Int
        var matchText: String?
        var staticOccurrences: Int
        var dynamicOccurrences: Int
        var continuations: [Item]
    }

    func run() async throws {
        let index = try TokenIndex(path: self.index)
        var tokenizer: LlamaTokenizer?
        let context: [TokenID]
        if let text {
            let t = try model.loadTokenizer()
            try index.requireTokenizer(t.identity)
            tokenizer = t
            context = try t.tokenize(text)
            if context.isEmpty { throw CLIError("--text gives no tokens") }
        } else {
            context = try Self.parseTokens(tokens ?? "")
            // Show text too when the model's tokenizer made this index.
            if let t = try? model.loadTokenizer(), t.identity.isCompatible(with: index.metadata.tokenizer) { tokenizer = t }
        }
        let result = try index.query(context: context,
                                     options: QueryOptions(maxMatchLength: maxMatch, top: top, continuationLength: length))
        let output = Output(
            context: context, matchLength: result.matchLength,
            matchText: try tokenizer?.detokenize(Array(context.suffix(result.matchLength))),
            staticOccurrences: result.staticOccurrences, dynamicOccurrences: result.dynamicOccurrences,
            continuations: try result.continuations.map { c in
                Output.Item(tokens: c.tokens, count: c.count, text: try tokenizer?.detokenize(c.tokens))
            })
        if json { try printJSON(output); return }
        print("context: \(context.count) tokens; longest match: \(result.matchLength) tokens\(output.matchText.map { " \($0.debugDescription)" } ?? "")")
        print("occurrences: \(result.staticOccurrences) static, \(result.dynamicOccurrences) dynamic")
        for (i, item) in output.continuations.enumerated() {
            print("  \(i + 1). ×\(item.count)  \(item.text.map { $0.debugDescription } ?? "")  \(item.tokens)")
        }
    }

    static func parseTokens(_ text: String) throws -> [TokenID] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw CLIError("--tokens is empty") }
        return try parts.map { part in
            guard let id = TokenID(part) else { throw CLIError("--tokens: \(part.debugDescription) is not a token id") }
            return id
        }
    }
}
