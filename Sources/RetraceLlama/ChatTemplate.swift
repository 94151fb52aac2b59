internal import CLlama
import Foundation

/// Formats prompts with the model's own chat template from its GGUF metadata, through
/// llama.cpp's built-in template support (ChatML, Gemma and others).
public struct ChatTemplate: Sendable {
    /// The Jinja source stored in the model.
    public let source: String
    /// The system message the template inserts when a conversation has none (ChatML models
    /// such as SmolLM2 carry one), or nil.
    public let defaultSystemMessage: String?

    public init(model: LlamaModel) throws {
        guard let raw = llama_model_chat_template(model.handle, nil) else {
            throw LlamaError.invalidModel(path: model.path, reason: "the model has no chat template (a base model: use --raw-prompt)")
        }
        source = String(cString: raw)
        defaultSystemMessage = Self.defaultSystem(in: source)
    }

    /// The literal default system block of a ChatML template, if it has one.
    static func defaultSystem(in template: String) -> String? {
        guard let start = template.range(of: "<|im_start|>system\\n") ?? template.range(of: "<|im_start|>system\n"),
              let end = template.range(of: "<|im_end|>", range: start.upperBound..<template.endIndex) else { return nil }
        let text = String(template[start.upperBound..<end.lowerBound])
        return text.contains("{") || text.contains("}") ? nil : text
    }

    /// The prompt text for one user turn, ending where the assistant's reply begins.
    public func format(user: String, system: String? = nil) throws -> String {
        var messages: [(String, String)] = []
        if let system = system ?? defaultSystemMessage { messages.append(("system", system)) }
        messages.append(("user", user))
        return try apply(messages)
    }

    func apply(_ messages: [(role: String, content: String)]) throws -> String {
        let roles = messages.map { strdup($0.role)! }
        let contents = messages.map { strdup($0.content)! }
        defer { (roles + contents).forEach { free($0) } }
        let chat = (0..<messages.count).map { llama_chat_message(role: roles[$0], content: contents[$0]) }
        var capacity = messages.reduce(256) { $0 + 2 * ($1.role.utf8.count + $1.content.utf8.count) }
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = llama_chat_apply_template(source, chat, chat.count, true, &buffer, Int32(capacity))
            if n < 0 { throw LlamaError.invalidModel(path: "", reason: "llama.cpp does not support this model's chat template") }
            if Int(n) > capacity { capacity = Int(n) + 1; continue }
            return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
