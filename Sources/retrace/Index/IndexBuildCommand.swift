import ArgumentParser
import Foundation
import RetraceCore
import RetraceIndex
import RetraceLlama

struct IndexBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an index from text (tokenized with the model's tokenizer) or from token ids.",
        discussion: """
            Examples:
              retrace index build --out indexes/code ~/src/project
              retrace index build --out indexes/chat --text-field content chats.jsonl
              retrace index build --pretokenized --out indexes/ids tokens.jsonl
              retrace index build --pretokenized --vocab-size 32000 --tokenizer-name my-tok --out indexes/x stream.u32
            """
    )

    @OptionGroup var model: ModelOptions
    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("Directory to create.", valueName: "DIR"))
    var out: String

    @Flag(help: "Replace an existing index at --out.")
    var force = false

    @Option(help: "With --pretokenized and a tokenizer of your own: its vocabulary size (ids must be below it).")
    var vocabSize: Int?

    @Option(help: "With --vocab-size: a name for your tokenizer, stored as the index's tokenizer identity.")
    var tokenizerName: String?

    @Flag(help: "Print the build report as JSON.")
    var json = false

    func validate() throws {
        if vocabSize != nil && !input.pretokenized { throw ValidationError("--vocab-size is for --pretokenized input") }
        if let v = vocabSize, v <= 0 || v > 1 << 24 { throw ValidationError("--vocab-size must be between 1 and 16,777,216") }
        if vocabSize != nil && tokenizerName == nil { throw ValidationError("--vocab-size needs --tokenizer-name") }
    }

    func run() async throws {
        let reader = input.reader
        _ = try reader.sources()  // fail on missing inputs before loading anything
        let tokenizer: (any Tokenizer)?
        let identity: TokenizerIdentity
        if let vocabSize, let tokenizerName {
            tokenizer = nil
            identity = .external(name: tokenizerName, vocabularySize: vocabSize)
        } else {
            let t = try model.loadTokenizer()
            tokenizer = t
            identity = t.identity
        }
        let builder = try IndexBuilder(destination: out, tokenizer: identity, inputs: input.inputs,
                                       pretokenized: input.pretokenized, force: force)
        let clock = ContinuousClock()
        let start = clock.now
        _ = try readDocuments(reader, tokenizer: tokenizer, label: "tokenizing") { try builder.add(document: $0) }
        let tokenizeSeconds = (clock.now - start).seconds
        let report = try builder.finish { phase in if !json { printError("\(phase.rawValue)…") } }
        if json {
            try printJSON(BuildSummary(path: builder.destination, tokenizeSeconds: tokenizeSeconds, report: report,
                                       peakMemoryBytes: peakResidentBytes()))
        } else {
            print("""
                built \(builder.destination)
                  \(report.tokens) tokens in \(report.documents) documents, tokenizer \(identity.name)
                  tokenize \(format(tokenizeSeconds)), store \(format(report.storeSeconds)), suffix array \(format(report.suffixArraySeconds)), write \(format(report.writeSeconds))
                  \(report.bytesOnDisk) bytes on disk (\(String(format: "%.2f", Double(report.bytesOnDisk) / Double(report.tokens))) bytes/token)
                """)
        }
    }

    private func format(_ s: Double) -> String { String(format: "%.2fs", s) }
}

/// Machine-readable result of `index build --json`.
struct BuildSummary: Encodable {
    var path: String
    var tokenizeSeconds: Double
    var report: BuildReport
    var peakMemoryBytes: Int
}

/// Peak resident set size of this process (VmHWM), in bytes.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    return kb * 1024
}
