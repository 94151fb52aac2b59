import ArgumentParser
import Foundation
import RetraceCore
import RetraceEngine
import RetraceIndex
import RetraceLlama
import RetraceSpeculation

/// Serves the drafter to a host over standard input and output.
struct DraftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Serve draft trees to a host over stdio, one JSON object per line.",
        discussion: """
        Requests, one per line:
          {"op":"start","prompt":[ids]}       start a generation            → {"ok":true}
          {"op":"draft","budget":N}           the best N nodes, parents first
                                              → {"tokens":[…],"parents":[…],"scores":[…]}
                                                (parents[i] = -1: child of the last committed token)
          {"op":"accept","tokens":[ids]}      commit the accepted path and the bonus token
                                              → {"ok":true,"accepted":k}
          {"op":"end"}                        end the generation            → {"ok":true}
        A bad line is answered with {"error":"…"} and the session goes on. Token ids are the
        model's (--model); the index must have been built with the same tokenizer.
        """)

    @OptionGroup var model: ModelOptions

    @Flag(help: "Serve the line protocol on standard input and output (the only mode).")
    var stdio = false

    @Option(help: "Index to draft from ('none' for the live context only).")
    var index = Defaults.indexPath

    @Flag(help: "Hold the index's suffix array in memory backed by huge pages (8 bytes per stored token): steadier draft latency for a long-running host.")
    var resident = false

    func run() throws {
        guard stdio else { throw CLIError("retrace draft serves over stdio only: pass --stdio") }
        let tokenizer = try model.loadTokenizer()
        let store = try TokenIndex.open(option: index, for: tokenizer.identity, resident: resident)
        // A long-running host: map every page of the index in now, so that the first drafts do
        // not take the page faults (about 0.1 s for a 100M-token index).
        _ = store?.prefault()
        var session = DraftProtocolSession(drafter: RetrievalDrafter(index: store),
                                           vocabularySize: tokenizer.identity.vocabularySize)
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            print(session.handle(line))
        }
    }
}
