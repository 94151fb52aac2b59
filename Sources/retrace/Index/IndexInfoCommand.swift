import ArgumentParser
import Foundation
import RetraceCore
import RetraceIndex

struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe an index.")

    @Argument(help: "The index directory.")
    var index: String

    @Flag(help: "Print JSON.")
    var json = false

    struct Info: Encodable {
        var path: String
        var metadata: IndexMetadata
        var dynamicDocuments: Int
        var dynamicTokens: Int
        var bytesOnDisk: Int
        var bytesPerStaticToken: Double
        var trieNodes: [String: Int]
        /// Entries of the suffix array's pair table; nil when the index predates it.
        var symbolPairs: Int?
    }

    func run() async throws {
        let index = try TokenIndex(path: self.index)
        let dynamic = try index.dynamicStatistics()
        let bytes = CorpusReader.size(of: self.index + "/data.mdb")
        let m = index.metadata
        let tries = try index.trieScopes()
        let info = Info(path: index.path, metadata: m, dynamicDocuments: dynamic.documents, dynamicTokens: dynamic.tokens,
                        bytesOnDisk: bytes, bytesPerStaticToken: Double(bytes) / Double(max(1, m.tokenCount)),
                        trieNodes: Dictionary(uniqueKeysWithValues: tries.map { ($0.scope, $0.nodes) }),
                        symbolPairs: index.symbolPairCount)
        if json { try printJSON(info); return }
        print("""
            index       \(info.path)
            format      \(m.formatVersion) (\(m.state.rawValue)), built \(m.createdAt) by retrace \(m.build.retraceVersion)
            tokenizer   \(m.tokenizer.name), vocabulary \(m.tokenizer.vocabularySize), fingerprint \(m.tokenizer.fingerprint)
            static      \(m.tokenCount) tokens in \(m.documentCount) documents (suffix array over \(m.symbolCount + 1) positions)
            pairs       \(info.symbolPairs.map { "\($0) distinct token pairs start the suffix-array searches" } ?? "none (built before pair tables: rebuild for faster queries on large indexes)")
            dynamic     \(dynamic.tokens) tokens in \(dynamic.documents) documents
            tries       \(tries.isEmpty ? "none" : tries.map { "\($0.scope) \($0.nodes) nodes" }.joined(separator: ", "))
            disk        \(bytes) bytes (\(String(format: "%.2f", info.bytesPerStaticToken)) bytes per static token)
            inputs      \(m.build.inputs.joined(separator: ", "))\(m.build.pretokenized ? " (pre-tokenized)" : "")
            """)
    }
}
