import Foundation
public import RetraceCore
public import RetraceLlama

/// The drafter model's side of a RAPID job: the documents split into chunks of about
/// ``chunkTokens`` tokens (at line ends), and the chunks that rank best (BM25) against the
/// question and the most recent output, within a token budget, in document order, followed by
/// the question. Re-ranked as generation proceeds, so the drafter reads the part of the
/// document the output is about now.
public struct RapidDraftContext {
    /// Chunk size in tokens (a chunk ends at the line end that would pass it).
    public static let chunkTokens = 128

    public let chunkTexts: [String]
    public let question: String
    /// Most document tokens the drafter reads.
    public let budget: Int
    /// Most recent output tokens that join the question in the ranking query.
    public var recentTokens = 128
    /// The chunks read now, in document order.
    public private(set) var selection: [Int]
    private let shortener: ContextShortener
    private let questionTokens: [TokenID]
    private let render: (String) throws -> [TokenID]

    /// Chunks `documents` with `tokenizer` and selects for `question`; `render` turns the
    /// drafter's text into its prompt (the chat template, tokenized).
    public init(documents: [String], question: String, budget: Int, tokenizer: LlamaTokenizer,
                render: @escaping (String) throws -> [TokenID]) throws {
        var texts: [String] = []
        var chunks: [[TokenID]] = []
        var text = ""
        var tokens: [TokenID] = []
        for document in documents {
            for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
                let lineTokens = try tokenizer.tokenize(String(line) + "\n", addSpecial: false, parseSpecial: false)
                if !tokens.isEmpty && tokens.count + lineTokens.count > Self.chunkTokens {
                    texts.append(text)
                    chunks.append(tokens)
                    text = ""
                    tokens = []
                }
                text += line + "\n"
                tokens += lineTokens
            }
        }
        if !tokens.isEmpty {
            texts.append(text)
            chunks.append(tokens)
        }
        chunkTexts = texts
        self.question = question
        self.budget = budget
        self.render = render
        shortener = ContextShortener(chunks: chunks)
        questionTokens = try tokenizer.tokenize(question, addSpecial: false, parseSpecial: false)
        selection = shortener.select(query: questionTokens, budget: budget)
    }

    /// The drafter's text for the current selection.
    public var text: String { selection.map { chunkTexts[$0] }.joined() + "\n" + question }

    /// The drafter's prompt for the current selection.
    public func prompt() throws -> [TokenID] { try render(text) }

    /// Ranks the chunks again for the question and the last ``recentTokens`` of `output`; the
    /// new prompt when the selection changed, nil when it did not (or could not be rendered).
    public mutating func rerank(after output: [TokenID]) -> [TokenID]? {
        let chosen = shortener.select(query: questionTokens + output.suffix(recentTokens), budget: budget)
        guard chosen != selection else { return nil }
        selection = chosen
        return try? prompt()
    }
}
