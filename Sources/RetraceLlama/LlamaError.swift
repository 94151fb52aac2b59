/// A failure in the llama.cpp backend, with a message for the user.
public enum LlamaError: Error, CustomStringConvertible, Sendable {
    case modelNotFound(path: String)
    case invalidModel(path: String, reason: String)
    case tokenization(String)
    case decode(String)
    case contextFull(limit: Int)

    public var description: String {
        switch self {
        case .modelNotFound(let path):
            "model file not found: \(path) (run tools/setup to install the default model, or pass --model PATH)"
        case .invalidModel(let path, let reason): "cannot load model \(path): \(reason)"
        case .tokenization(let reason): "tokenization failed: \(reason)"
        case .decode(let reason): "decoding failed: \(reason)"
        case .contextFull(let limit): "the context window (\(limit) tokens) is full"
        }
    }
}
