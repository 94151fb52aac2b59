import Foundation
import RetraceCore
import RetraceSpeculation

/// One recorded greedy generation (the format of ../shared/data/traces): prompt and output
/// token ids, with an id and a category.
struct ReplayTrace: Decodable {
    var id: String
    var category: String
    var promptTokens: [TokenID]
    var outputTokens: [TokenID]
    /// The target's own top tokens along the output, when measured (`--target-feedback`).
    var target: TraceReplay.RecordedTarget?

    enum CodingKeys: String, CodingKey {
        case id, category
        case promptTokens = "prompt_tokens"
        case outputTokens = "output_tokens"
    }

    /// Reads a JSONL file; a bad line is an error naming its line number.
    static func load(_ path: String, vocabularySize: Int) throws -> [ReplayTrace] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read traces file \(path)") }
        var traces: [ReplayTrace] = []
        for (n, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
            let trace: ReplayTrace
            do {
                trace = try JSONDecoder().decode(ReplayTrace.self, from: Data(line))
            } catch {
                throw CLIError("\(path):\(n + 1): not a trace (need id, category, prompt_tokens, output_tokens): \(error)")
            }
            guard !trace.promptTokens.isEmpty else { throw CLIError("\(path):\(n + 1): empty prompt_tokens") }
            if let bad = (trace.promptTokens + trace.outputTokens).first(where: { Int($0) >= vocabularySize }) {
                throw CLIError("\(path):\(n + 1): token id \(bad) is outside the vocabulary (size \(vocabularySize))")
            }
            traces.append(trace)
        }
        guard !traces.isEmpty else { throw CLIError("\(path) has no traces") }
        return traces
    }
}
