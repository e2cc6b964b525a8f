import Glibc

/// Reading and writing key files with the permissions they need.
enum KeyFiles {
    /// The file's text; errors name the file.
    static func read(_ path: String) throws(CurveKeyError) -> String {
        guard let file = fopen(path, "r") else {
            throw CurveKeyError(.unreadable, "cannot read: \(String(cString: strerror(errno)))", file: path)
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[..<count]) }
            if count < chunk.count {
                if ferror(file) != 0 { throw CurveKeyError(.unreadable, "read failed", file: path) }
                break
            }
        }
        for index in chunk.indices { chunk[index] = 0 }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CurveKeyError(.malformed, "not UTF-8 text", file: path)
        }
        return text
    }

    /// Throws unless the file is private to its owner: no access for others, no writing for the group.
    static func checkPrivate(_ path: String) throws(CurveKeyError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CurveKeyError(.unreadable, "cannot read: \(String(cString: strerror(errno)))", file: path)
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o027 == 0 else {
            throw CurveKeyError(.unsafePermissions, "holds a secret key but has mode \(String(mode, radix: 8, uppercase: false)); "
                                + "run chmod 600 \(path)", file: path)
        }
    }

    /// Writes `text` to `path` with `mode`: atomically (a temporary file renamed over it) when `overwrite`, else
    /// creating the file only if it does not exist.
    static func write(_ text: String, to path: String, mode: mode_t, overwrite: Bool) throws(CurveKeyError) {
        let target = overwrite ? path + ".tmp-\(getpid())" : path
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            if errno == EEXIST && !overwrite {
                throw CurveKeyError(.alreadyExists, "exists already (pass --force to replace it)", file: path)
            }
            throw CurveKeyError(.unwritable, "cannot create: \(String(cString: strerror(errno)))", file: path)
        }
        var bytes = Array(text.utf8)
        defer { for index in bytes.indices { bytes[index] = 0 } }
        var written = 0
        var failed = fchmod(descriptor, mode) != 0
        while !failed, written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                failed = true
            } else {
                written += result
            }
        }
        if !failed { failed = fsync(descriptor) != 0 }
        let reason = String(cString: strerror(errno))
        close(descriptor)
        if failed {
            unlink(target)
            throw CurveKeyError(.unwritable, "write failed: \(reason)", file: path)
        }
        if overwrite, rename(target, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(target)
            throw CurveKeyError(.unwritable, "cannot replace: \(reason)", file: path)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }
}
