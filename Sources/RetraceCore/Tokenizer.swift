/// Turns text into the target model's token ids and back.
public protocol Tokenizer: Sendable {
    /// Identity of the vocabulary, stored in every index built with it.
    var identity: TokenizerIdentity { get }
    /// Tokens of `text`, without special tokens such as BOS.
    func tokenize(_ text: String) throws -> [TokenID]
    /// Text of `tokens`.
    func detokenize(_ tokens: [TokenID]) throws -> String
}
