import Foundation
import Logging

/// A few demo patients registered through the public API, so a newcomer can try search and look-up at once.
enum DemoData {
    static var patients: [[String: Any]] { [
        ["name": "王伟", "gender": "GENDER_MALE", "birthDate": "1985-03-12", "phone": "13800000001", "sourceChannel": "SOURCE_CHANNEL_WALK_IN"],
        ["name": "李娜", "gender": "GENDER_FEMALE", "birthDate": "1992-07-28", "phone": "13900000002", "sourceChannel": "SOURCE_CHANNEL_PHONE",
         "allergies": ["青霉素"], "medicalHistory": ["高血压"]],
        ["name": "张敏", "gender": "GENDER_FEMALE", "birthDate": "2015-11-03", "phone": "13700000003", "sourceChannel": "SOURCE_CHANNEL_REFERRAL",
         "referrer": "李娜"],
        ["name": "Chen Jie", "gender": "GENDER_MALE", "birthDate": "1978-01-20", "phone": "15000000004", "sourceChannel": "SOURCE_CHANNEL_ONLINE", "vip": true],
    ] }

    /// Registers the demo patients; ones already on file (409) are left as they are.
    static func load(api: String, logger: Logger) throws {
        var created = 0
        for patient in patients {
            let body = try JSONSerialization.data(withJSONObject: patient)
            guard let answer = HTTPProbe.request("POST", "\(api)/v1/patients", json: body) else {
                throw StackError("the gateway did not answer while loading demo data")
            }
            switch answer.status {
            case 200, 201: created += 1
            case 409: continue
            default: throw StackError("demo patient rejected with HTTP \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            }
        }
        logger.info("demo data loaded", metadata: ["patients_created": "\(created)"])
    }
}
