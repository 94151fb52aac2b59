internal import CLlama
public import RetraceCore
import Foundation
import Synchronization

/// The target model's tokenizer, through llama.cpp (`llama_tokenize` / `llama_detokenize`).
///
/// ```swift
/// let tokenizer = try LlamaTokenizer(modelPath: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// let ids = try tokenizer.tokenize("def main():")
/// ```
public final class LlamaTokenizer: Tokenizer, @unchecked Sendable {
    public let model: LlamaModel
    public let identity: TokenizerIdentity
    private let lock = Mutex(())

    /// Loads only the vocabulary of the GGUF model at `modelPath`.
    public convenience init(modelPath: String) throws {
        try self.init(model: LlamaModel(path: modelPath, vocabularyOnly: true))
    }

    public init(model: LlamaModel) {
        self.model = model
        self.identity = Self.identity(of: model)
    }

    /// Fingerprint of the whole vocabulary: its type, and every token's text and attributes.
    static func identity(of model: LlamaModel) -> TokenizerIdentity {
        let vocab = model.vocabulary
        let n = llama_vocab_n_tokens(vocab)
        var hasher = StableHasher()
        hasher.combine(UInt64(llama_vocab_type(vocab).rawValue))
        hasher.combine(UInt64(n))
        for id in 0..<n {
            if let text = llama_vocab_get_text(vocab, id) {
                hasher.combine(String(cString: text))
            }
            hasher.combine(UInt64(llama_vocab_get_attr(vocab, id).rawValue))
        }
        let name = URL(fileURLWithPath: model.path).lastPathComponent
        return TokenizerIdentity(fingerprint: hasher.hexDigest, vocabularySize: Int(n), name: name)
    }

    public func tokenize(_ text: String) throws -> [TokenID] {
        try tokenize(text, addSpecial: false, parseSpecial: false)
    }

    /// Tokens of `text`; `addSpecial` adds BOS/EOS as the model is configured to, and
    /// `parseSpecial` turns special-token text such as `<|im_start|>` into its token.
    public func tokenize(_ text: String, addSpecial: Bool, parseSpecial: Bool) throws -> [TokenID] {
        var text = text
        return try text.withUTF8 { bytes -> [TokenID] in
            guard bytes.count < Int(Int32.max) else { throw LlamaError.tokenization("text of \(bytes.count) bytes is too long") }
            if bytes.isEmpty { return [] }
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var capacity = bytes.count / 2 + 16
            while true {
                var out = [llama_token](repeating: 0, count: capacity)
                let n = lock.withLock { _ in
                    llama_tokenize(model.vocabulary, base, Int32(bytes.count), &out, Int32(capacity), addSpecial, parseSpecial)
                }
                if n == Int32.min { throw LlamaError.tokenization("the token count overflows 32 bits") }
                if n < 0 {
                    capacity = Int(-n)
                    continue
                }
                return out.prefix(Int(n)).map { TokenID(bitPattern: $0) }
            }
        }
    }

    /// The bytes of one token as it is printed (special tokens as their text). A byte-level
    /// vocabulary's token can hold part of a character; `UTF8StreamDecoder` joins them.
    public func pieceBytes(_ token: TokenID) throws -> [UInt8] {
        guard Int(token) < model.vocabularySize else {
            throw LlamaError.tokenization("token id \(token) is outside the vocabulary (size \(model.vocabularySize))")
        }
        var capacity = 32
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = lock.withLock { _ in
                llama_token_to_piece(model.vocabulary, llama_token(bitPattern: token), &buffer, Int32(capacity), 0, true)
            }
            if n < 0 {
                capacity = Int(-n)
                continue
            }
            return buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }
        }
    }

    public func detokenize(_ tokens: [TokenID]) throws -> String {
        let size = model.vocabularySize
        if let bad = tokens.first(where: { Int($0) >= size }) {
            throw LlamaError.tokenization("token id \(bad) is outside the vocabulary (size \(size))")
        }
        let ids = tokens.map { llama_token(bitPattern: $0) }
        var capacity = tokens.count * 8 + 16
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = lock.withLock { _ in
                llama_detokenize(model.vocabulary, ids, Int32(ids.count), &buffer, Int32(capacity), false, true)
            }
            if n < 0 {
                capacity = Int(-n) + 1
                continue
            }
            let bytes = buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
