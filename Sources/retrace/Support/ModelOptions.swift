import ArgumentParser
import RetraceLlama

/// `--model`, shared by every command that tokenizes.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("GGUF model whose tokenizer to use (default: the model installed by tools/setup).", valueName: "GGUF"))
    var model: String?

    var modelPath: String { model ?? Defaults.modelPath }

    func loadTokenizer() throws -> LlamaTokenizer {
        try LlamaTokenizer(modelPath: modelPath)
    }
}
