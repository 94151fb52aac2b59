import ArgumentParser
import Foundation
import RetraceIndex

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The main job on the embedded defaults: build the default index if missing, describe it, query it.")

    @Option(help: "Index directory.")
    var index = Defaults.indexPath

    @Option(help: "Corpus to index when the index is missing (default: the Python standard library linked by tools/setup).")
    var corpus: String?

    @Option(help: "Text to query.")
    var text = "\n    def __init__(self"

    @OptionGroup var model: ModelOptions

    func run() async throws {
        let corpus = self.corpus ?? Defaults.corpusPath
        if (try? TokenIndex(path: index)) == nil {
            guard FileManager.default.fileExists(atPath: corpus) else {
                throw CLIError("default corpus \(corpus) is missing; run tools/setup first")
            }
            print("== building \(index) from \(corpus)")
            var arguments = ["--out", index, "--force", "--skip-invalid", "--extensions", "py", corpus]
            arguments += Defaults.corpusExclusions.flatMap { ["--exclude", $0] }
            if let m = model.model { arguments += ["--model", m] }
            var build = try IndexBuildCommand.parse(arguments)
            try await build.run()
        }
        print("\n== retrace index info \(index)")
        var info = try IndexInfoCommand.parse([index])
        try await info.run()
        print("\n== retrace index query \(index) --text \(text.debugDescription)")
        var queryArguments = [index, "--text", text, "--top", "5", "--length", "12"]
        if let m = model.model { queryArguments += ["--model", m] }
        var query = try IndexQueryCommand.parse(queryArguments)
        try await query.run()
    }
}
