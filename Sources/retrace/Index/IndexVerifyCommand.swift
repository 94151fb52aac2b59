import ArgumentParser
import RetraceIndex

struct IndexVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an index: metadata, counts, suffix-array order (sampled, or in full), checksums.")

    @Argument(help: "The index directory.")
    var index: String

    @Flag(help: "Check every suffix-array row, the permutation and the checksums (slower).")
    var full = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let index = try TokenIndex(path: self.index)
        let report = try index.verify(full: full)
        if json {
            try printJSON(report)
        } else {
            for check in report.checks { print("checked: \(check)") }
            for problem in report.problems { print("PROBLEM: \(problem)") }
            print(report.isValid ? "index \(index.path) is valid" : "index \(index.path) has \(report.problems.count) problem(s)")
        }
        if !report.isValid { throw ExitCode(2) }
    }
}
