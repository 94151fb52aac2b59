import ArgumentParser
import RetraceCore

/// How inputs are read, shared by `index build` and `index add`.
struct InputOptions: ParsableArguments {
    @Flag(help: "Inputs hold token ids, not text: JSONL arrays, or raw little-endian UInt32 with 0xFFFFFFFF between documents.")
    var pretokenized = false

    @Option(help: "Format of pre-tokenized input: auto (by extension: .jsonl/.json are JSONL, anything else raw), jsonl or raw.")
    var format: String = "auto"

    @Option(help: "File extensions read from directories (comma-separated).")
    var extensions: String?

    @Option(name: .customLong("exclude"), help: "Directory name to skip when walking directories (repeatable).")
    var excluded: [String] = []

    @Option(help: "Field of each JSONL object that holds the text.")
    var textField = "text"

    @Flag(help: "Skip unreadable or invalid files (non-UTF-8, malformed JSONL) with a warning instead of failing.")
    var skipInvalid = false

    @Argument(help: "Files, directories, or - for standard input.")
    var inputs: [String] = []

    func validate() throws {
        guard CorpusReader.PretokenizedFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be auto, jsonl or raw")
        }
        if inputs.isEmpty { throw ValidationError("give at least one input (a file, a directory, or -)") }
    }

    var reader: CorpusReader {
        var options = CorpusReader.Options()
        options.pretokenized = pretokenized
        options.format = CorpusReader.PretokenizedFormat(rawValue: format) ?? .auto
        if let extensions {
            options.extensions = Set(extensions.split(separator: ",").map { $0.trimmingPrefix(".").lowercased() })
        }
        options.excludedDirectories.formUnion(excluded)
        options.textField = textField
        options.skipInvalid = skipInvalid
        return CorpusReader(inputs: inputs, options: options)
    }
}

/// Reads every input into token documents, tokenizing text with `tokenizer`, with progress.
func readDocuments(_ reader: CorpusReader, tokenizer: (any Tokenizer)?, label: String, quiet: Bool = false,
                   _ body: ([TokenID]) throws -> Void) throws -> (tokens: Int, documents: Int) {
    let sources = try reader.sources()
    let total = sources.reduce(0) { sum, s in if case .file(_, let size) = s { sum + size } else { sum } }
    let bar = ProgressBar(label: label, total: total, quiet: quiet)
    var tokens = 0, documents = 0
    try reader.read(sources, progress: { bar.update(done: $0, tokens: tokens) }, warn: { printError("warning: \($0)") }) { document in
        let ids: [TokenID]
        switch document {
        case .tokens(let t): ids = t
        case .text(let text):
            guard let tokenizer else { throw CLIError("text input needs a tokenizer") }
            ids = try tokenizer.tokenize(text)
        }
        guard !ids.isEmpty else { return }
        try body(ids)
        tokens += ids.count
        documents += 1
    }
    bar.finish(tokens: tokens)
    return (tokens, documents)
}
