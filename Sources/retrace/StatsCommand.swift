import ArgumentParser
import Foundation
import RetraceStats

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarise recorded sessions: MAT, acceptance by source, latency percentiles.")

    @Argument(help: "Statistics database (default: $RETRACE_HOME/stats.sqlite).")
    var database: String?

    @Option(help: "Only this session.")
    var session: String?

    @Flag(help: "Print JSON.")
    var json = false

    struct Output: Encodable {
        var database: String
        var report: StatsReport
        var sessions: [SessionRecord]
    }

    func run() async throws {
        let path = database ?? Defaults.statsPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("no statistics database at \(path)")
        }
        let store = try StatsStore(path: path)
        var sessions = try store.sessions()
        if let session {
            sessions = sessions.filter { $0.id == session }
            guard !sessions.isEmpty else { throw CLIError("no session \(session) in \(path)") }
        }
        let report = try store.report(sessionID: session)
        if json { try printJSON(Output(database: path, report: report, sessions: sessions)); return }
        print("database     \(path)")
        print("sessions     \(report.sessions)")
        print("steps        \(report.steps), \(report.emittedTokens) tokens emitted, \(report.proposedNodes) nodes proposed")
        print("MAT          \(String(format: "%.3f", report.meanAcceptedTokens)) tokens per step")
        for s in report.bySource {
            print("  source \(s.source.padding(toLength: 14, withPad: " ", startingAt: 0)) \(s.acceptedTokens) tokens (\(String(format: "%.1f", s.share * 100))% of emitted)")
        }
        let d = report.draftMicroseconds, v = report.verifyMicroseconds
        print("draft µs     p50 \(d.p50)  p90 \(d.p90)  p99 \(d.p99)  max \(d.max)")
        print("verify µs    p50 \(v.p50)  p90 \(v.p90)  p99 \(v.p99)  max \(v.max)")
        for s in sessions.suffix(10) {
            print("  \(s.id)  tenant \(s.tenant)  index \(s.index)  started \(s.startedAt)\(s.endedAt.map { "  ended \($0)" } ?? "")")
        }
    }
}
