public import RetraceCore
public import RetraceLMDB

/// Why an index could not be built, opened, queried or extended.
public enum IndexError: Error, CustomStringConvertible, Sendable {
    case notFound(path: String)
    case notAnIndex(path: String, reason: String)
    case incomplete(path: String)
    case unsupportedFormat(path: String, found: Int, supported: Int)
    case corrupt(path: String, reason: String)
    case tokenizerMismatch(index: TokenizerIdentity, given: TokenizerIdentity)
    case tokenOutOfVocabulary(token: UInt32, vocabularySize: Int, where: String)
    case emptyCorpus
    case tooLarge(tokens: Int, limit: Int)
    case alreadyExists(path: String)
    case invalidArgument(String)
    case storage(LMDBError)

    public var description: String {
        switch self {
        case .notFound(let path): "no such index: \(path) does not exist"
        case .notAnIndex(let path, let reason): "\(path) is not a Retrace index: \(reason)"
        case .incomplete(let path): "\(path) is an incomplete index (its build was interrupted); rebuild it"
        case .unsupportedFormat(let path, let found, let supported):
            "\(path) has index format \(found); this retrace reads format \(supported); rebuild it"
        case .corrupt(let path, let reason): "index \(path) is damaged: \(reason)"
        case .tokenizerMismatch(let index, let given):
            "the index was built with tokenizer \(index), but the model's tokenizer is \(given); use the model the index was built with, or rebuild the index"
        case .tokenOutOfVocabulary(let token, let size, let place):
            "token id \(token) in \(place) is outside the vocabulary (size \(size))"
        case .emptyCorpus: "the input holds no tokens: nothing to index"
        case .tooLarge(let tokens, let limit): "input has \(tokens) tokens; an index holds at most \(limit)"
        case .alreadyExists(let path): "\(path) already exists; pass --force to replace it"
        case .invalidArgument(let text): text
        case .storage(let error): "storage error: \(error)"
        }
    }
}
