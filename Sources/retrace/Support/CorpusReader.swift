import Foundation
import RetraceCore

/// Turns command-line inputs into documents: files, directories (recursively, by extension),
/// JSONL with a text field, `-` for standard input, or pre-tokenized ids (JSONL arrays, or a
/// raw little-endian UInt32 stream in which 0xFFFFFFFF separates documents).
struct CorpusReader {
    enum Document {
        case text(String)
        case tokens([TokenID])
    }

    enum PretokenizedFormat: String, CaseIterable {
        case auto, jsonl, raw
    }

    struct Options {
        var pretokenized = false
        var format: PretokenizedFormat = .auto
        var extensions: Set<String> = CorpusReader.defaultExtensions
        var excludedDirectories: Set<String> = ["__pycache__", "node_modules", ".git"]
        var textField = "text"
        var skipInvalid = false
    }

    /// The separator of documents in a raw pre-tokenized stream.
    static let rawSeparator: UInt32 = 0xFFFF_FFFF

    static let defaultExtensions: Set<String> = [
        "txt", "md", "rst", "py", "swift", "c", "h", "cc", "cpp", "hpp", "rs", "go", "java", "js", "ts",
        "rb", "sh", "json", "jsonl", "yaml", "yml", "toml", "html", "css", "sql", "tex",
    ]

    enum Source {
        case file(path: String, size: Int)
        case standardInput
        var name: String { if case .file(let p, _) = self { p } else { "standard input" } }
    }

    let inputs: [String]
    let options: Options

    /// Resolves the inputs into sources, failing on any path that does not exist.
    func sources() throws -> [Source] {
        guard !inputs.isEmpty else { throw CLIError("no input given") }
        var out: [Source] = []
        let fm = FileManager.default
        for input in inputs {
            if input == "-" { out.append(.standardInput); continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw CLIError("no such file or directory: \(input)")
            }
            if !isDirectory.boolValue {
                out.append(.file(path: input, size: Self.size(of: input)))
                continue
            }
            let root = URL(fileURLWithPath: input).resolvingSymlinksInPath()
            guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey, .fileSizeKey],
                                             options: [.skipsHiddenFiles]) else {
                throw CLIError("cannot read directory \(input)")
            }
            var files: [(String, Int)] = []
            for case let url as URL in walker {
                let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .fileSizeKey])
                if values?.isDirectory == true {
                    if options.excludedDirectories.contains(url.lastPathComponent) { walker.skipDescendants() }
                    continue
                }
                let ext = url.pathExtension.lowercased()
                let wanted = options.pretokenized ? ["jsonl", "json", "u32", "bin"].contains(ext) : options.extensions.contains(ext)
                if wanted { files.append((url.path, values?.fileSize ?? 0)) }
            }
            files.sort { $0.0 < $1.0 }
            out += files.map { Source.file(path: $0.0, size: $0.1) }
        }
        return out
    }

    static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Reads every source, calling `body` for each document and `progress` with the bytes read
    /// so far. Invalid input is an error, or with `skipInvalid` a warning and a skip.
    func read(_ sources: [Source], progress: (Int) -> Void = { _ in }, warn: (String) -> Void,
              _ body: (Document) throws -> Void) throws {
        var bytesDone = 0
        for source in sources {
            let data: Data
            switch source {
            case .standardInput:
                data = FileHandle.standardInput.readDataToEndOfFile()
            case .file(let path, _):
                if options.pretokenized && format(of: source) == .raw {
                    try readRaw(path: path, bytesDone: &bytesDone, progress: progress, body)
                    continue
                }
                do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw CLIError("cannot read \(path): \(error.localizedDescription)")
                }
            }
            do {
                try parse(data, source: source, body)
            } catch let error as CLIError where options.skipInvalid {
                warn("skipping \(source.name): \(error)")
            }
            bytesDone += data.count
            progress(bytesDone)
        }
    }

    private func format(of source: Source) -> PretokenizedFormat {
        guard options.format == .auto else { return options.format }
        guard case .file(let path, _) = source else { return .jsonl }
        return ["jsonl", "json"].contains(URL(fileURLWithPath: path).pathExtension.lowercased()) ? .jsonl : .raw
    }

    private func parse(_ data: Data, source: Source, _ body: (Document) throws -> Void) throws {
        if options.pretokenized {
            if format(of: source) == .raw {
                try Self.splitRaw(data, name: source.name).forEach { try body(.tokens($0)) }
            } else {
                try forEachLine(data, source: source) { line, number in
                    try body(.tokens(Self.parseTokenLine(line, place: "\(source.name):\(number)")))
                }
            }
            return
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CLIError("\(source.name) is not valid UTF-8 text\(Self.firstInvalidUTF8(data).map { " (byte offset \($0))" } ?? "")")
        }
        let isJSONL: Bool = if case .file(let path, _) = source { path.lowercased().hasSuffix(".jsonl") } else { false }
        guard isJSONL else { try body(.text(text)); return }
        try forEachLine(data, source: source) { line, number in
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                throw CLIError("\(source.name):\(number): not a JSON object")
            }
            guard let value = object[options.textField] as? String else {
                throw CLIError("\(source.name):\(number): no string field \"\(options.textField)\" (choose one with --text-field)")
            }
            try body(.text(value))
        }
    }

    private func forEachLine(_ data: Data, source: Source, _ body: (Data, Int) throws -> Void) throws {
        var number = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            try body(Data(line), number)
        }
    }

    /// Parses `[1, 2, 3]` or `{"tokens": [1, 2, 3]}`.
    static func parseTokenLine(_ line: Data, place: String) throws -> [TokenID] {
        struct Wrapped: Decodable { var tokens: [TokenID] }
        let decoder = JSONDecoder()
        if let ids = try? decoder.decode([TokenID].self, from: line) { return ids }
        if let wrapped = try? decoder.decode(Wrapped.self, from: line) { return wrapped.tokens }
        throw CLIError("\(place): expected a JSON array of token ids (non-negative 32-bit integers)")
    }

    static func splitRaw(_ data: Data, name: String) throws -> [[TokenID]] {
        guard data.count % 4 == 0 else { throw CLIError("\(name): length \(data.count) is not a multiple of 4 bytes") }
        var current: [TokenID] = []
        var docs = data.withUnsafeBytes { splitRaw($0, carrying: &current) }
        if !current.isEmpty { docs.append(current) }
        return docs
    }

    /// Documents completed in `raw`; the unfinished tail stays in `current` for the next chunk.
    static func splitRaw(_ raw: UnsafeRawBufferPointer, carrying current: inout [TokenID]) -> [[TokenID]] {
        var docs: [[TokenID]] = []
        for i in 0..<(raw.count / 4) {
            let t = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            if t == rawSeparator {
                docs.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(t)
            }
        }
        return docs
    }

    /// Streams a large raw file in chunks, so memory stays flat.
    private func readRaw(path: String, bytesDone: inout Int, progress: (Int) -> Void, _ body: (Document) throws -> Void) throws {
        guard Self.size(of: path) % 4 == 0 else {
            throw CLIError("\(path): length \(Self.size(of: path)) is not a multiple of 4 bytes")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        var current: [TokenID] = []
        while let chunk = try handle.read(upToCount: 16 << 20), !chunk.isEmpty {
            let docs = chunk.withUnsafeBytes { Self.splitRaw($0, carrying: &current) }
            for d in docs { try body(.tokens(d)) }
            bytesDone += chunk.count
            progress(bytesDone)
        }
        if !current.isEmpty { try body(.tokens(current)) }
    }

    static func firstInvalidUTF8(_ data: Data) -> Int? {
        var offset = 0
        var iterator = data.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
