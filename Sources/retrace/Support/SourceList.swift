import Foundation
import RetraceSpeculation

/// The `--sources` option's value: drafting sources by name, comma-separated.
enum SourceList {
    /// Every source, as the option's default.
    static let all = DraftSource.allCases.map(\.description).joined(separator: ",")
    private static let known = DraftSource.allCases.map(\.description).joined(separator: ", ")

    static func parse(_ text: String) throws -> Set<DraftSource> {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw CLIError("--sources names no source (known: \(known))")
        }
        return try Set(names.map { name -> DraftSource in
            guard let source = DraftSource(name: name) else {
                throw CLIError("unknown source '\(name)' in --sources (known: \(known))")
            }
            return source
        })
    }
}
