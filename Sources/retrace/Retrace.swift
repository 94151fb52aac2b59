import ArgumentParser

@main
struct Retrace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrace",
        abstract: "Retrieval-based speculative decoding: persistent token indexes, drafting, statistics.",
        version: "0.1.0",
        subcommands: [IndexCommand.self, GenerateCommand.self, CalibrateCommand.self, DraftCommand.self, StatsCommand.self, DemoCommand.self, BenchCommand.self, RapidCommand.self]
    )
}
