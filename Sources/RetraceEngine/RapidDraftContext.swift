import Foundation
public import RetraceCore
public import RetraceLlama

/// The drafter model's side of a RAPID job: the documents split into chunks of about
/// ``chunkTokens`` tokens (at line ends), and the chunks that rank best (BM25) against the
/// question, within a token budget, in document order, followed by the question. Re-ranked as
/// generation proceeds against the question and the most recent output, so the drafter reads
/// the part of the document the output is about now. Each change appends a few chunks and
/// keeps the front of the old selection, which the drafter's cache holds, so only the
/// appended chunks are read again.
public struct RapidDraftContext {
    /// Chunk size in tokens (a chunk ends at the line end that would pass it).
    public static let chunkTokens = 128

    public let chunkTexts: [String]
    public let question: String
    /// Most document tokens the drafter reads.
    public let budget: Int
    /// Most recent output tokens that join the question in the ranking query.
    public var recentTokens = 128
    /// The chunks read now, in the order the drafter reads them, and the drafter's prompt for them.
    public private(set) var selection: [Int]
    public private(set) var prompt: [TokenID]
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
        prompt = try render(Self.text(selection, chunkTexts, question))
    }

    /// The drafter's text for the current selection.
    public var text: String { Self.text(selection, chunkTexts, question) }

    /// Ranks the chunks again for the question and the last ``recentTokens`` of `output`. The
    /// best chunks not read now that outrank the weakest one read now join at the end (one, or
    /// as many as fit a quarter of the budget), and the old selection keeps as much of its front as
    /// leaves room for them. When that changes the selection and `worthReading` accepts the
    /// number of prompt tokens the drafter would read anew, the new prompt is returned;
    /// otherwise nil and the selection stands.
    public mutating func rerank(after output: [TokenID], worthReading: (_ tokens: Int) -> Bool = { _ in true }) -> [TokenID]? {
        let scores = shortener.scores(for: questionTokens + output.suffix(recentTokens))
        let chunks = shortener.chunks
        func size(_ selected: ArraySlice<Int>) -> Int { selected.reduce(0) { $0 + chunks[$1].count } }
        let weakest = selection.map { scores[$0] }.min() ?? 0
        var added: [Int] = []
        var addedTokens = 0
        for i in chunks.indices.sorted(by: { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 })
        where scores[i] > weakest && !selection.contains(i) && (added.isEmpty || addedTokens + chunks[i].count <= budget / 4) {
            added.append(i)
            addedTokens += chunks[i].count
        }
        guard !added.isEmpty else { return nil }
        var keep = selection.count
        while keep > 0, size(selection[..<keep]) + addedTokens > budget { keep -= 1 }
        let chosen = Array(selection[..<keep]) + added.sorted()
        guard let new = try? render(Self.text(chosen, chunkTexts, question)) else { return nil }
        let shared = zip(new, prompt).prefix { $0 == $1 }.count
        guard worthReading(new.count - shared) else { return nil }
        selection = chosen
        prompt = new
        return new
    }

    private static func text(_ selection: [Int], _ chunkTexts: [String], _ question: String) -> String {
        selection.map { chunkTexts[$0] }.joined() + "\n" + question
    }
}
