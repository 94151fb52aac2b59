/// A token id of the target model's vocabulary. 32 bits wide: Gemma-3's vocabulary has
/// 262,144 tokens, more than 16 bits can hold.
public typealias TokenID = UInt32
