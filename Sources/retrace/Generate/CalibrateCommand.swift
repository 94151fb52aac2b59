import ArgumentParser
import Foundation
import RetraceEngine
import RetraceLlama
import RetraceSpeculation

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure the cost of verifying B tokens at several context lengths; store the curve beside the model.",
        discussion: "Run it on a quiet machine. `retrace generate` sizes each draft tree from this curve.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Context lengths to measure at (comma-separated).")
    var contexts = "64,512,1536,4096"

    @Option(help: "Rounds over all batch sizes (the fastest is kept).")
    var repeats = 5

    @Flag(help: "Print JSON.")
    var json = false

    /// Room after the longest context for the measured batches.
    static let batchRoom = 128

    /// Context lengths to measure at, each from 0 to far above any model's context (the model's
    /// own limit is checked once it is loaded).
    func contextLengths() throws -> [Int] {
        let parts = contexts.split(separator: ",", omittingEmptySubsequences: false)
        let lengths = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { (0...(1 << 24)).contains($0) }
        guard !parts.isEmpty, lengths.count == parts.count else {
            throw ValidationError("--contexts takes context lengths from 0 to \(1 << 24), comma-separated (got '\(contexts)')")
        }
        return Array(Set(lengths)).sorted()
    }

    func validate() throws {
        _ = try contextLengths()
        if !(1...100).contains(repeats) { throw ValidationError("--repeats must be from 1 to 100") }
    }

    func run() async throws {
        let lengths = try contextLengths()
        let llama = try LlamaModel(path: model.modelPath)
        let needed = lengths.last! + Self.batchRoom
        guard needed <= llama.trainedContextLength else {
            throw CLIError("--contexts \(lengths.last!) needs a context of \(needed) tokens, more than the model's trained \(llama.trainedContextLength)")
        }
        let context = try LlamaContext(model: llama, options: ContextOptions(contextLength: needed))
        let curve = try CostCalibrator(contextLengths: lengths, repeats: repeats)
            .measure(context) { if !json { printError($0) } }
        let path = TargetRuntime.costPath(modelPath: model.modelPath)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(curve).write(to: URL(fileURLWithPath: path), options: .atomic)
        if json { try printJSON(curve); return }
        print("cost of one decode of B tokens relative to B = 1 (written to \(path)):")
        print("D \\ B  " + curve.batchSizes.map { String(format: "%6d", $0) }.joined())
        for (i, d) in curve.contextLengths.enumerated() {
            print(String(format: "%5d  ", d) + curve.batchSizes.map { String(format: "%6.2f", curve.relativeCost(batch: $0, context: d)) }.joined()
                  + String(format: "   (B=1: %.1f ms)", curve.milliseconds[i][0]))
        }
    }
}
