import Foundation

/// A fresh directory under the system's temporary folder, removed on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "retrace-test") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path` joined with `name`.
    public func file(_ name: String) -> String { path + "/" + name }
}
