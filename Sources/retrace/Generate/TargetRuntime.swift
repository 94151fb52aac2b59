import Foundation
import RetraceCore
import RetraceEngine
import RetraceIndex
import RetraceLlama
import RetraceSpeculation

/// The target model with everything a generation needs: its tokenizer, chat template,
/// context, the index (if any) and the measured cost curve.
final class TargetRuntime {
    let model: LlamaModel
    let tokenizer: LlamaTokenizer
    /// The model's chat template, or why it has none (a base model can still take raw prompts).
    private let template: Result<ChatTemplate, any Error>
    let context: LlamaContext
    let index: TokenIndex?
    let cost: CostModel
    let costIsMeasured: Bool

    init(modelPath: String, indexPath: String?, contextLength: Int) throws {
        let model = try LlamaModel(path: modelPath)
        self.model = model
        tokenizer = LlamaTokenizer(model: model)
        template = Result { try ChatTemplate(model: model) }
        guard contextLength <= model.trainedContextLength else {
            throw CLIError("--context \(contextLength) exceeds the model's trained context of \(model.trainedContextLength) tokens")
        }
        context = try LlamaContext(model: model, options: ContextOptions(contextLength: contextLength))
        let identity = tokenizer.identity
        index = try indexPath.flatMap { try TokenIndex.open(option: $0, for: identity) }
        if let measured = try? Self.loadCost(modelPath: modelPath) {
            cost = measured
            costIsMeasured = true
        } else {
            cost = .fallback
            costIsMeasured = false
        }
    }

    /// Where `retrace calibrate` keeps the cost curve: beside the model.
    static func costPath(modelPath: String) -> String { modelPath + ".retrace-cost.json" }

    static func loadCost(modelPath: String) throws -> CostModel {
        try JSONDecoder().decode(CostModel.self, from: Data(contentsOf: URL(fileURLWithPath: costPath(modelPath: modelPath))))
    }

    /// One user message as the model's chat template formats it; throws for a model without one.
    func chatPrompt(_ text: String) throws -> String { try template.get().format(user: text) }

    /// Chat-formatted prompt tokens for one user message (or the raw text with `raw`).
    func promptTokens(_ text: String, raw: Bool) throws -> [TokenID] {
        let formatted = raw ? text : try chatPrompt(text)
        return try tokenizer.tokenize(formatted, addSpecial: raw, parseSpecial: !raw)
    }

    /// The generator for this runtime. One per process, so what its drafter learns about the
    /// sources' acceptance carries from one prompt to the next.
    private(set) lazy var generator = SpeculativeGenerator(
        context: context, drafter: RetrievalDrafter(index: index), sizer: TreeSizer(cost: cost))
}
