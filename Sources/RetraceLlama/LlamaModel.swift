internal import CLlama
import Foundation

/// A GGUF model loaded through llama.cpp. Owns the `llama_model` handle and frees it on
/// deinit. Load with `vocabularyOnly` to tokenize without loading weights.
public final class LlamaModel: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String

    /// Loads `path`; throws a clear error for a missing file or one that is not a GGUF model.
    public init(path: String, vocabularyOnly: Bool = false) throws {
        LlamaRuntime.ensureInitialised()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw LlamaError.modelNotFound(path: path)
        }
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw LlamaError.invalidModel(path: path, reason: "the file cannot be read")
        }
        let magic = (try? file.read(upToCount: 4)) ?? Data()
        try? file.close()
        guard magic == Data("GGUF".utf8) else {
            throw LlamaError.invalidModel(path: path, reason: "not a GGUF file")
        }
        var params = llama_model_default_params()
        params.vocab_only = vocabularyOnly
        _ = LlamaRuntime.takeLastError()
        guard let model = llama_model_load_from_file(path, params) else {
            throw LlamaError.invalidModel(path: path, reason: LlamaRuntime.takeLastError() ?? "llama.cpp could not load it (truncated or corrupt?)")
        }
        self.handle = model
        self.path = path
    }

    deinit { llama_model_free(handle) }

    var vocabulary: OpaquePointer { llama_model_get_vocab(handle) }

    /// Number of tokens in the model's vocabulary.
    public var vocabularySize: Int { Int(llama_vocab_n_tokens(vocabulary)) }

    /// Context length the model was trained with.
    public var trainedContextLength: Int { Int(llama_model_n_ctx_train(handle)) }

    /// Whether `token` ends generation (EOS, end of turn).
    public func isEndOfGeneration(_ token: UInt32) -> Bool {
        llama_vocab_is_eog(vocabulary, llama_token(bitPattern: token))
    }
}
