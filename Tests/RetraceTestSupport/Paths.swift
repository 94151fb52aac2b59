import Foundation

/// Locations the tests need: the repository, the built `retrace`, the default model, shared data.
public enum TestPaths {
    /// The package root (two levels above this file's folder).
    public static let repository: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    public static var retraceHome: String {
        ProcessInfo.processInfo.environment["RETRACE_HOME"]
            ?? NSHomeDirectory() + "/.local/share/retrace"
    }

    /// The default model installed by tools/setup.
    public static var defaultModel: String { retraceHome + "/models/SmolLM2-135M-Instruct.Q4_1.gguf" }

    /// ../shared/data beside the checkout.
    public static var sharedData: String { repository + "/../shared/data" }

    /// The `retrace` executable of the current build (beside the test bundle).
    public static var retraceExecutable: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("retrace").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository + "/.build/debug/retrace"
    }
}
