import Foundation

/// One long-context job: documents and an instruction, or a ready prompt (whose last paragraph
/// is then taken as the instruction when the drafter's context is shortened).
struct RapidJob {
    var id: String
    var documents: [String]
    var instruction: String
    /// The job gave a ready `prompt`.
    var isPrompt: Bool

    /// The text the target model reads.
    var targetText: String { isPrompt ? instruction : (documents + [instruction]).joined(separator: "\n\n") }

    /// A ready prompt split into its document part and its question: the last paragraph, or
    /// else the last line, or else the last three sentences.
    static func splitPrompt(_ prompt: String) -> (document: String, instruction: String) {
        let trimmed = prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        for separator in ["\n\n", "\n"] {
            if let range = trimmed.range(of: separator, options: .backwards) {
                return (String(trimmed[..<range.lowerBound]), String(trimmed[range.upperBound...]))
            }
        }
        var cut = trimmed.endIndex
        for _ in 0..<3 {
            guard let range = trimmed.range(of: ". ", options: .backwards, range: trimmed.startIndex..<cut) else {
                return ("", trimmed)
            }
            cut = range.lowerBound
        }
        let start = trimmed.index(cut, offsetBy: 2)
        return (String(trimmed[..<start]), String(trimmed[start...]))
    }

    /// Reads a jobs file. A malformed line is reported with its line number and skipped; the
    /// other jobs are kept. Throws only when the file cannot be read at all.
    static func read(_ path: String) throws -> (jobs: [RapidJob], problems: [String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError("no such jobs file: \(path)") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw CLIError("\(path) is not valid UTF-8") }
        var jobs: [RapidJob] = []
        var problems: [String] = []
        var seen: Set<String> = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let place = "\(path):\(number + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                problems.append("\(place): not a JSON object; job skipped")
                continue
            }
            let id: String
            switch object["id"] {
            case let s as String where !s.isEmpty: id = s
            case let n as NSNumber: id = n.stringValue
            default:
                problems.append("\(place): no \"id\"; job skipped")
                continue
            }
            guard !seen.contains(id) else {
                problems.append("\(place): id \"\(id)\" appears twice; job skipped")
                continue
            }
            if let prompt = object["prompt"] as? String {
                guard !prompt.isEmpty else {
                    problems.append("\(place): job \(id) has an empty prompt; skipped")
                    continue
                }
                seen.insert(id)
                let (document, _) = splitPrompt(prompt)
                jobs.append(RapidJob(id: id, documents: document.isEmpty ? [] : [document], instruction: prompt, isPrompt: true))
                continue
            }
            let documents = (object["documents"] as? [String]) ?? (object["document"] as? String).map { [$0] } ?? []
            guard !documents.isEmpty, documents.allSatisfy({ !$0.isEmpty }) else {
                problems.append("\(place): job \(id) has neither a \"document\"/\"documents\" nor a \"prompt\"; skipped")
                continue
            }
            guard let instruction = object["instruction"] as? String, !instruction.isEmpty else {
                problems.append("\(place): job \(id) has no \"instruction\"; skipped")
                continue
            }
            seen.insert(id)
            jobs.append(RapidJob(id: id, documents: documents, instruction: instruction, isPrompt: false))
        }
        return (jobs, problems)
    }

    /// Ids already in a results file (for resuming); a missing file has none.
    static func finishedIDs(in path: String) -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var ids: Set<String> = []
        for line in text.split(separator: "\n") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let id = object["id"] as? String {
                ids.insert(id)
            }
        }
        return ids
    }
}
