import ClinicBus
import ClinicProto
import Foundation

/// A page of a listing (any service's): its size and where it starts, with an opaque token for the next one.
public struct Page: Equatable, Sendable {
    /// Items on a page when the caller does not say.
    public static let defaultSize = 20

    /// Items on the page.
    public let size: Int
    /// Items before it.
    public let offset: Int

    /// Reads size and token from a request (the contract bounds the size), refusing a token this service did not
    /// give out.
    public init(_ request: Clinic_Common_V1_PageRequest) throws {
        size = request.pageSize == 0 ? Self.defaultSize : Int(request.pageSize)
        if request.pageToken.isEmpty {
            offset = 0
        } else if let data = Data(base64Encoded: request.pageToken), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("o:"), let value = Int(text.dropFirst(2)), value >= 0 {
            offset = value
        } else {
            throw RPCError.invalidArgument(field: "page.pageToken", "is not a token this service gave out")
        }
    }

    private init(size: Int, offset: Int) {
        self.size = size
        self.offset = offset
    }

    /// The page after this one.
    public var next: Page { Page(size: size, offset: offset + size) }

    /// The opaque token that asks for this page.
    public var token: String { Data("o:\(offset)".utf8).base64EncodedString() }
}
