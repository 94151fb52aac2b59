import Foundation

/// Where Retrace looks for things when no flag says otherwise.
enum Defaults {
    /// `$RETRACE_HOME`, else `~/.local/share/retrace` (what tools/setup fills).
    static var home: String {
        ProcessInfo.processInfo.environment["RETRACE_HOME"] ?? NSHomeDirectory() + "/.local/share/retrace"
    }

    /// `$RETRACE_MODEL`, else the default model installed by tools/setup.
    static var modelPath: String {
        ProcessInfo.processInfo.environment["RETRACE_MODEL"] ?? home + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// The statistics database.
    static var statsPath: String {
        ProcessInfo.processInfo.environment["RETRACE_STATS"] ?? home + "/stats.sqlite"
    }

    /// The embedded default corpus: the Python standard library, linked by tools/setup.
    static var corpusPath: String { home + "/corpora/python-stdlib" }

    /// Directory names left out of the default corpus.
    static let corpusExclusions = ["site-packages", "test", "tests", "__pycache__"]

    /// Where the default index is built.
    static let indexPath = "indexes/default"
}
