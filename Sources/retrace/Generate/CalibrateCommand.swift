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

    func run() async throws {
        let lengths = contexts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !lengths.isEmpty, lengths.allSatisfy({ $0 >= 0 }) else { throw CLIError("--contexts must list context lengths") }
        let llama = try LlamaModel(path: model.modelPath)
        let context = try LlamaContext(model: llama, options: ContextOptions(contextLength: lengths.max()! + 128))
        let curve = try CostCalibrator(contextLengths: lengths.sorted(), repeats: max(1, repeats))
            .measure(context) { if !json { printError($0) } }
        let path = TargetRuntime.costPath(modelPath: model.modelPath)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(curve).write(to: URL(fileURLWithPath: path))
        if json { try printJSON(curve); return }
        print("cost of one decode of B tokens relative to B = 1 (written to \(path)):")
        print("D \\ B  " + curve.batchSizes.map { String(format: "%6d", $0) }.joined())
        for (i, d) in curve.contextLengths.enumerated() {
            print(String(format: "%5d  ", d) + curve.batchSizes.map { String(format: "%6.2f", curve.relativeCost(batch: $0, context: d)) }.joined()
                  + String(format: "   (B=1: %.1f ms)", curve.milliseconds[i][0]))
        }
    }
}
