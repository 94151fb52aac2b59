import Foundation

/// Progress of long work on standard error: a bar redrawn in place on a terminal, plain lines
/// every few seconds otherwise (logs, CI).
final class ProgressBar {
    private let label: String
    private let total: Int
    private let interactive: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let quiet: Bool

    init(label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = max(total, 1)
        self.interactive = isatty(STDERR_FILENO) != 0
        self.quiet = quiet
    }

    /// Reports `done` units of `total` and `tokens` produced so far.
    func update(done: Int, tokens: Int) {
        guard !quiet else { return }
        let now = Date()
        let interval = interactive ? 0.1 : 5.0
        guard now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        draw(done: done, tokens: tokens, now: now)
    }

    /// Final line.
    func finish(tokens: Int) {
        guard !quiet else { return }
        draw(done: total, tokens: tokens, now: Date())
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw(done: Int, tokens: Int, now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        let fraction = min(1, Double(done) / Double(total))
        let rate = Double(tokens) / elapsed
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let stats = "\(Int(fraction * 100))% \(Self.count(tokens)) tokens \(Self.count(Int(rate)))/s ETA \(Self.duration(eta))"
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(stats)\u{1B}[K".utf8))
        } else {
            FileHandle.standardError.write(Data("\(label): \(stats)\n".utf8))
        }
    }

    static func count(_ n: Int) -> String {
        switch n {
        case 1_000_000...: String(format: "%.1fM", Double(n) / 1e6)
        case 10_000...: String(format: "%.0fk", Double(n) / 1e3)
        default: "\(n)"
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds >= 60 ? String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) : String(format: "%.0fs", seconds)
    }
}
