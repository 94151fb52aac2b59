import Foundation
import RetraceTestSupport

/// Prompts and traces from ../shared/data.
enum SharedPrompts {
    struct Prompt { var id: String; var category: String; var text: String }
    struct Trace { var id: String; var category: String; var promptTokens: [UInt32]; var outputTokens: [UInt32] }

    static func lines(_ relative: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: TestPaths.sharedData + "/" + relative, encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// `count` prompts of `category` from a prompt set.
    static func prompts(_ set: String, category: String? = nil, count: Int) throws -> [Prompt] {
        try lines(set + "/prompts.jsonl")
            .filter { category == nil || ($0["category"] as? String) == category }
            .prefix(count)
            .map { Prompt(id: "\($0["id"]!)", category: $0["category"] as? String ?? set,
                          text: ($0["prompt"] as? String) ?? (($0["turns"] as? [String])?.first ?? "")) }
    }

    static func traces() throws -> [Trace] {
        try lines("traces/smollm2-135m-q4_1.greedy.jsonl").map {
            Trace(id: $0["id"] as! String, category: $0["category"] as! String,
                  promptTokens: ($0["prompt_tokens"] as! [NSNumber]).map { $0.uint32Value },
                  outputTokens: ($0["output_tokens"] as! [NSNumber]).map { $0.uint32Value })
        }
    }

    /// The shared corpus, tokenized with SmolLM2 (one array per document).
    static func corpusDocuments(limit: Int = .max) throws -> [[UInt32]] {
        let text = try String(contentsOfFile: TestPaths.sharedData + "/corpus_tokens.smollm2.jsonl", encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").prefix(limit).map { try decoder.decode([UInt32].self, from: Data($0.utf8)) }
    }
}
