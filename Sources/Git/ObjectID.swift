import CGit2

/// A git object id (SHA-1), held as its 20 bytes in three integers (most significant first):
/// a plain Sendable value that hashes and compares without allocating, which matters where
/// a walk keeps a set of every commit it has seen.
package struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    private let high: UInt64
    private let middle: UInt64
    private let low: UInt32

    /// Accepts a full 40-character lowercase hex id.
    package init?(hex: String) {
        var hex = hex
        guard let id = hex.withUTF8({ ObjectID(lowercaseHex: UnsafeRawBufferPointer($0)[...]) }) else { return nil }
        self = id
    }

    private init<Bytes: Collection<UInt8>>(bytes: Bytes) {
        var high: UInt64 = 0, middle: UInt64 = 0, low: UInt32 = 0
        for (index, byte) in bytes.prefix(20).enumerated() {
            switch index {
            case 0..<8: high = high << 8 | UInt64(byte)
            case 8..<16: middle = middle << 8 | UInt64(byte)
            default: low = low << 8 | UInt32(byte)
            }
        }
        (self.high, self.middle, self.low) = (high, middle, low)
    }

    /// 40 lowercase hex digits, as git writes ids (in a commit's header, in a note's name).
    init?(lowercaseHex hex: Slice<UnsafeRawBufferPointer>) {
        guard hex.count == 40 else { return nil }
        var high: UInt64 = 0, middle: UInt64 = 0, low: UInt32 = 0
        for (index, character) in hex.enumerated() {
            let digit: UInt8
            switch character {
            case 0x30...0x39: digit = character - 0x30
            case 0x61...0x66: digit = character - 0x61 + 10
            default: return nil
            }
            switch index {
            case 0..<16: high = high << 4 | UInt64(digit)
            case 16..<32: middle = middle << 4 | UInt64(digit)
            default: low = low << 4 | UInt32(digit)
            }
        }
        (self.high, self.middle, self.low) = (high, middle, low)
    }

    init(_ oid: git_oid) {
        var oid = oid
        self = withUnsafeBytes(of: &oid.id) { ObjectID(bytes: $0) }
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// The all-zero id libgit2 uses for "no object" (a reference that does not exist).
    var isZero: Bool { high == 0 && middle == 0 && low == 0 }

    /// Byte `index` of the 20, most significant first.
    private func byte(_ index: Int) -> UInt8 {
        switch index {
        case 0..<8: return UInt8(truncatingIfNeeded: high >> ((7 - index) * 8))
        case 8..<16: return UInt8(truncatingIfNeeded: middle >> ((15 - index) * 8))
        default: return UInt8(truncatingIfNeeded: low >> ((19 - index) * 8))
        }
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            for index in 0..<20 { buffer[index] = byte(index) }
        }
        return oid
    }

    /// The 40-character hex form git prints.
    package var hex: String {
        String(unsafeUninitializedCapacity: 40) { buffer in
            let digits: StaticString = "0123456789abcdef"
            for index in 0..<20 {
                let value = byte(index)
                buffer[2 * index] = digits.utf8Start[Int(value >> 4)]
                buffer[2 * index + 1] = digits.utf8Start[Int(value & 0x0f)]
            }
            return 40
        }
    }

    /// The abbreviation people read in logs and notes.
    package var short: String { Self.short(hex) }

    /// The same abbreviation of a commit known by its hex text (plans, records, status).
    package static func short(_ hex: some StringProtocol) -> String { String(hex.prefix(12)) }
    package var description: String { hex }

    package static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low) }

    /// The id git gives a file of these bytes (its blob id), without writing anything.
    package static func blob(hashing bytes: [UInt8]) -> ObjectID {
        var oid = git_oid()
        _ = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return ObjectID(oid)
    }
}
