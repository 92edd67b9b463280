import NIOCore

// `withUnsafeBytes` and friends are `rethrows`, which erases a typed error; these keep `FileStoreFailure`.

extension Array where Element == UInt8 {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(FileStoreFailure) -> R) throws(FileStoreFailure) -> R {
        try withUnsafeBytes { raw in Result { () throws(FileStoreFailure) in try body(raw) } }.get()
    }

    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(FileStoreFailure) -> R) throws(FileStoreFailure) -> R {
        try withUnsafeMutableBytes { raw in Result { () throws(FileStoreFailure) in try body(raw) } }.get()
    }
}

extension ByteBuffer {
    func withReadableBytes<R>(_ body: (UnsafeRawBufferPointer) throws(FileStoreFailure) -> R) throws(FileStoreFailure) -> R {
        try withUnsafeReadableBytes { raw in Result { () throws(FileStoreFailure) in try body(raw) } }.get()
    }
}
