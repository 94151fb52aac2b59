internal import CLlama
import Synchronization

/// One-time llama.cpp initialisation. llama.cpp's own log goes quiet except for errors,
/// the last of which is kept to explain a failed load.
enum LlamaRuntime {
    private static let lastError = Mutex<String?>(nil)

    private static let initialised: Bool = {
        llama_log_set({ level, text, _ in
            guard level == GGML_LOG_LEVEL_ERROR, let text else { return }
            let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            LlamaRuntime.lastError.withLock { $0 = message }
        }, nil)
        llama_backend_init()
        return true
    }()

    static func ensureInitialised() { _ = initialised }

    /// The last error llama.cpp logged, cleared by reading it.
    static func takeLastError() -> String? { lastError.withLock { e in defer { e = nil }; return e } }
}

private extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

private extension Set where Element == Character {
    static let whitespacesAndNewlines: Set<Character> = [" ", "\n", "\t", "\r"]
}
