import Foundation

/// A prompt to generate for: from `--prompt`, or a line of a `--prompts` JSONL file with
/// `id` (string or number) and `prompt` (or `turns`, whose first turn is used).
struct PromptItem {
    var id: String
    var category: String?
    var prompt: String

    /// Reads a prompts file; a malformed line is an error naming its line number.
    static func read(_ path: String, limit: Int?) throws -> [PromptItem] {
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("no such prompts file: \(path)") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
        guard let text = String(validating: data, as: UTF8.self) else { throw CLIError("\(path) is not valid UTF-8") }
        var items: [PromptItem] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CLIError("\(path):\(number + 1): not a JSON object")
            }
            let id: String
            switch object["id"] {
            case let s as String: id = s
            case let n as NSNumber: id = n.stringValue
            default: id = "\(number + 1)"
            }
            guard let prompt = (object["prompt"] as? String) ?? (object["turns"] as? [String])?.first else {
                throw CLIError("\(path):\(number + 1): no \"prompt\" string")
            }
            guard !prompt.isEmpty else { throw CLIError("\(path):\(number + 1): the prompt is empty") }
            items.append(PromptItem(id: id, category: object["category"] as? String, prompt: prompt))
            if let limit, items.count >= limit { break }
        }
        guard !items.isEmpty else { throw CLIError("\(path) holds no prompts") }
        return items
    }
}
