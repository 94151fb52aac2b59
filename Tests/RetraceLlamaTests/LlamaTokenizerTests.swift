import Foundation
import Testing
import RetraceCore
import RetraceTestSupport
@testable import RetraceLlama

@Suite struct LlamaTokenizerTests {
    let tokenizer: LlamaTokenizer

    init() throws { tokenizer = try LlamaTokenizer(modelPath: TestPaths.defaultModel) }

    @Test func roundTripsText() throws {
        for text in ["def main():\n    return 42\n", "Hello, world! Ünïcödé and 日本語.", "  spaces\tand\ttabs  "] {
            let ids = try tokenizer.tokenize(text)
            #expect(!ids.isEmpty)
            #expect(ids.allSatisfy { Int($0) < tokenizer.identity.vocabularySize })
            #expect(try tokenizer.detokenize(ids) == text)
        }
        #expect(try tokenizer.tokenize("").isEmpty)
    }

    /// Token by token, through the stream decoder, the text is what detokenizing the whole
    /// sequence gives, although single tokens here hold parts of characters.
    @Test func streamedPiecesJoinIntoTheDetokenizedText() throws {
        let text = "Greetings 🌌🌐🌈 こんにちは, 你好, привет, γειά σου! Ünïcödé."
        let ids = try tokenizer.tokenize(text)
        let partial = try ids.filter { String(validating: try tokenizer.pieceBytes($0), as: UTF8.self) == nil }
        #expect(!partial.isEmpty, "no token holds part of a character: the test would not test the decoder")
        var stream = UTF8StreamDecoder()
        var streamed = ""
        for id in ids { streamed += stream.append(try tokenizer.pieceBytes(id)) }
        streamed += stream.finish()
        #expect(streamed == (try tokenizer.detokenize(ids)))
        #expect(streamed == text)
        #expect(throws: LlamaError.self) { try tokenizer.pieceBytes(TokenID(tokenizer.identity.vocabularySize)) }
    }

    @Test func identityIsStableAndSpecific() throws {
        let again = try LlamaTokenizer(modelPath: TestPaths.defaultModel)
        #expect(again.identity == tokenizer.identity)
        #expect(tokenizer.identity.vocabularySize == 49_152)
        let external = TokenizerIdentity.external(name: tokenizer.identity.name, vocabularySize: 49_152)
        #expect(!external.isCompatible(with: tokenizer.identity))
    }

    @Test func specialTokensParseOnlyWhenAsked() throws {
        let plain = try tokenizer.tokenize("<|im_start|>", addSpecial: false, parseSpecial: false)
        let special = try tokenizer.tokenize("<|im_start|>", addSpecial: false, parseSpecial: true)
        #expect(special.count == 1 && plain.count > 1)
    }

    @Test func badModelFilesGetClearErrors() throws {
        let dir = TemporaryDirectory()
        #expect(throws: LlamaError.self) { try LlamaTokenizer(modelPath: dir.file("missing.gguf")) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.file("text.gguf")))
        #expect(throws: LlamaError.self) { try LlamaTokenizer(modelPath: dir.file("text.gguf")) }
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: TestPaths.defaultModel)).read(upToCount: 200_000)!
        try head.write(to: URL(fileURLWithPath: dir.file("cut.gguf")))
        do {
            _ = try LlamaTokenizer(modelPath: dir.file("cut.gguf"))
            Issue.record("a truncated model loaded")
        } catch let error as LlamaError {
            #expect("\(error)".contains("cut.gguf"))
        }
        #expect(throws: LlamaError.self) { try tokenizer.detokenize([99_999]) }
    }
}
