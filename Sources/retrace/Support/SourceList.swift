import Foundation
import RetraceSpeculation

/// The `--sources` option's value: drafting sources by name, comma-separated.
enum SourceList {
    /// Every source, as the option's default.
    static let all = DraftSource.allCases.map(\.description).joined(separator: ",")

    static func parse(_ text: String) throws -> Set<DraftSource> {
        try Set(text.split(separator: ",").map { name -> DraftSource in
            guard let source = DraftSource(name: name.trimmingCharacters(in: .whitespaces)) else {
                throw CLIError("unknown source '\(name)' in --sources (known: \(DraftSource.allCases.map(\.description).joined(separator: ", ")))")
            }
            return source
        })
    }
}
