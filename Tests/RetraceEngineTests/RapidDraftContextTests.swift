import Foundation
import Testing
import RetraceCore
import RetraceLlama
import RetraceSpeculation
import RetraceTestSupport
@testable import RetraceEngine

/// RAPID's drafter context: chunks re-ranked against the recent output, and a drafter model
/// whose prompt is replaced mid-generation.
@Suite struct RapidDraftContextTests {
    static let document = """
    The lighthouse keeper climbed the spiral stairs every evening to light the great lamp.
    Ships passing the rocky cape relied on its beam through fog and storm alike.
    The keeper kept a logbook of every vessel, every gale and every broken pane of glass.

    The bakery on the corner opened at five, and the smell of rye bread filled the street.
    Its owner kneaded the dough by hand and sold warm rolls to the workers on the early tram.
    On Sundays she baked poppy-seed cakes that were gone before nine.
    """

    @Test func rerankingFollowsTheOutputToAnotherPartOfTheDocument() throws {
        let fixture = try Fixture.shared.get()
        let tokenizer = fixture.tokenizer
        // Each paragraph twice over: one chunk each (over half the chunk size, so a budget of
        // one chunk's size holds one of them).
        let paragraphs = Self.document.components(separatedBy: "\n\n")
        let doubled = paragraphs.map { $0 + "\n" + $0 }.joined(separator: "\n")
        var context = try RapidDraftContext(documents: [doubled], question: "Describe the lighthouse.", budget: RapidDraftContext.chunkTokens,
                                            tokenizer: tokenizer) { try tokenizer.tokenize($0, addSpecial: false, parseSpecial: false) }
        #expect(context.chunkTexts.count == 2, "\(context.chunkTexts)")
        let lighthouseFirst = context.selection
        #expect(lighthouseFirst.count == 1 && context.text.contains("lighthouse"), "\(context.text)")

        let aboutBread = try tokenizer.tokenize(" The bakery sold warm rye bread rolls and poppy-seed cakes to the tram workers.",
                                                addSpecial: false, parseSpecial: false)
        // Not worth reading again: the selection stands.
        var asked = 0
        #expect(context.rerank(after: aboutBread) { tokens in asked = tokens; return false } == nil)
        #expect(context.selection == lighthouseFirst && asked > 0)
        let reranked = context.rerank(after: aboutBread)
        let prompt = try #require(reranked)
        #expect(context.text.contains("bakery") && !context.text.contains("keeper"), "\(context.text)")
        #expect(try tokenizer.detokenize(prompt).contains("rye bread"))
        // The same output again: the selection stands, no new prompt.
        #expect(context.rerank(after: aboutBread) == nil)
    }

    @Test func aReplacedPromptDraftsLikeAModelThatReadItFromTheStart() throws {
        let fixture = try Fixture.shared.get()
        let tokenizer = fixture.tokenizer
        let model = fixture.model
        let options = ContextOptions(contextLength: 1024, batchCapacity: 512, maxSequences: 1)
        let shared = try tokenizer.tokenize("Notes on the town.\n", addSpecial: false, parseSpecial: false)
        let first = shared + (try tokenizer.tokenize(Self.document.components(separatedBy: "\n\n")[0], addSpecial: false, parseSpecial: false))
        let second = shared + (try tokenizer.tokenize(Self.document.components(separatedBy: "\n\n")[1], addSpecial: false, parseSpecial: false))
        let output = try tokenizer.tokenize("\nIn short: the bakery on the corner", addSpecial: false, parseSpecial: false)

        let switched = LlamaDraftModel(context: try LlamaContext(model: model, options: options))
        switched.promptOverride = first
        switched.start(prompt: [])
        _ = try switched.draft(maxNodes: 4, maxDepth: 2)   // reads the first prompt
        switched.commit(output)
        switched.replacePrompt(with: second)
        #expect(switched.promptChanges == 1)
        // Of what it had read, only what follows the shared prefix is read again.
        let common = zip(first, second).prefix { $0 == $1 }.count
        #expect(common >= shared.count && switched.promptTokensReread == first.count - common)

        let fresh = LlamaDraftModel(context: try LlamaContext(model: model, options: options))
        fresh.promptOverride = second
        fresh.start(prompt: [])
        fresh.commit(output)

        let a = try switched.draft(maxNodes: 6, maxDepth: 4)
        let b = try fresh.draft(maxNodes: 6, maxDepth: 4)
        #expect(a.tree.tokens == b.tree.tokens && a.tree.parents == b.tree.parents)
        #expect(!a.tree.tokens.isEmpty)
    }
}
