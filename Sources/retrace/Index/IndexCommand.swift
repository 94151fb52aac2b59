import ArgumentParser

struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, extend, inspect, check and query persistent token indexes.",
        subcommands: [IndexBuildCommand.self, IndexAddCommand.self, IndexInfoCommand.self,
                      IndexVerifyCommand.self, IndexQueryCommand.self]
    )
}
