/// Base-128 varints as protobuf's wire format writes them: field keys, lengths and integer values.
public enum ProtobufVarint {
    /// The varint of at most 10 bytes at `index`, advancing past it; nil when it is truncated or too long.
    public static func read(_ raw: UnsafeRawBufferPointer, at index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < raw.count, shift < 64 {
            let byte = raw[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }

    /// Appends the encoding of `value` to `out`.
    public static func append(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
