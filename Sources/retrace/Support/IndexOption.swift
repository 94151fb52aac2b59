import RetraceCore
import RetraceIndex

extension TokenIndex {
    /// The index an `--index` option names, or nil for `none`; refused when it was built with
    /// another tokenizer than `identity`.
    static func open(option path: String, for identity: TokenizerIdentity, resident: Bool = false) throws -> TokenIndex? {
        guard path != "none" else { return nil }
        let index = try TokenIndex(path: path, resident: resident)
        try index.requireTokenizer(identity)
        return index
    }
}
