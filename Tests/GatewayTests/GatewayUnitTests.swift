import ClinicBus
import ClinicProto
import Foundation
import Testing
@testable import Gateway

/// Pure pieces of the gateway: parameter binding, timeouts, status mapping, error bodies.
@Suite("Gateway binding and mapping")
struct GatewayUnitTests {
    @Test func pathAndQueryParametersFillNestedFieldsAndWinOverTheBody() throws {
        let bytes = try RequestBinding.bind(Clinic_Reception_V1_SearchPatientsRequest.self,
                                            body: Array(#"{"query":"body","page":{"pageToken":"t"}}"#.utf8),
                                            parameters: [("query", "王"), ("page.pageSize", "25")])
        let request = try Clinic_Reception_V1_SearchPatientsRequest(serializedBytes: bytes)
        #expect(request.query == "王")
        #expect(request.page.pageSize == 25)
        #expect(request.page.pageToken == "t")
    }

    @Test func unknownFieldsAndWrongTypesNameTheField() {
        do {
            _ = try RequestBinding.bind(Clinic_Reception_V1_RegisterPatientRequest.self,
                                        body: Array(#"{"name":"x","favouriteColour":"red"}"#.utf8), parameters: [])
            Issue.record("an unknown field was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.details.first?.field == "favouriteColour")
        }
        do {
            _ = try RequestBinding.bind(Clinic_Reception_V1_SearchPatientsRequest.self, body: [],
                                        parameters: [("page.pageSize", "lots")])
            Issue.record("a non-number page size was accepted")
        } catch {
            #expect(error.details.first?.field == "page.pageSize")
        }
        do {
            _ = try RequestBinding.bind(Clinic_Reception_V1_RegisterPatientRequest.self, body: Array("{not json".utf8), parameters: [])
            Issue.record("malformed JSON was accepted")
        } catch {
            #expect(error.details.first?.field == "body")
        }
    }

    @Test func anEnumInTheQueryMayBeItsNameOrItsNumber() throws {
        let byName = try RequestBinding.bind(Clinic_Reception_V1_ListVisitsRequest.self, body: [],
                                             parameters: [("status", "VISIT_STATUS_WAITING"), ("patientId", "")])
        #expect(try Clinic_Reception_V1_ListVisitsRequest(serializedBytes: byName).status == .waiting)
        let byNumber = try RequestBinding.bind(Clinic_Reception_V1_SuggestVisitKindRequest.self, body: [],
                                               parameters: [("treatment", "12"), ("patientId", "123")])
        let request = try Clinic_Reception_V1_SuggestVisitKindRequest(serializedBytes: byNumber)
        #expect(request.treatment == .other)
        // Digits in a string field stay a string.
        #expect(request.patientID == "123")
        do {
            _ = try RequestBinding.bind(Clinic_Reception_V1_SuggestVisitKindRequest.self, body: [], parameters: [("treatment", "TREATMENT_KIND_NONE")])
            Issue.record("an unknown enum name was accepted")
        } catch {
            #expect(error.details.first?.field == "treatment")
        }
    }

    @Test func aRawResponseGoesOutAsItIsInItsOwnMediaType() throws {
        let route = HTTPRoute(verb: .get, path: "/v1/test.csv", pathVariables: [], hasBody: false, created: false, queryAliases: [:],
                              timeoutMS: 0, summary: "", responseSchema: "HttpBody", openAPIParameters: "[]", openAPIBody: "",
                              produces: "text/csv")
        let raw = try #require(GatewayRoute(Method<Clinic_Reception_V1_GetVisitRequest, Clinic_Api_V1_HttpBody>(
            "clinic.test.v1.Test/Report", access: .open, route: route)))
        var body = Clinic_Api_V1_HttpBody()
        body.contentType = "text/csv; charset=utf-8"
        body.data = Data("日期,金额\n2026-12-07,12000\n".utf8)
        let rendered = try raw.render(try body.serializedBytes())
        #expect(rendered.contentType == "text/csv; charset=utf-8")
        #expect(rendered.body == Array("日期,金额\n2026-12-07,12000\n".utf8))
        // Without its own content type the route's media type is used; an ordinary reply stays proto3 JSON.
        body.clearContentType()
        #expect(try raw.render(try body.serializedBytes()).contentType == "text/csv")
        let json = try #require(GatewayRoute(Clinic_Reception_V1_Reception.getVisit))
        var visit = Clinic_Reception_V1_Visit()
        visit.id = "v1"
        let answer = try json.render(try visit.serializedBytes())
        #expect(answer.contentType == "application/json" && String(decoding: answer.body, as: UTF8.self) == #"{"id":"v1"}"#)
    }

    @Test func onlySingularStringFieldsAreEncodedWithoutJSON() {
        let numbers = RequestBinding.stringFieldNumbers(
            Clinic_Reception_V1_RegisterPatientRequest.self,
            candidates: ["name", "preferredDoctorId", "gender", "allergies", "sourceChannel", "page.pageSize", "noSuchField"])
        // gender and sourceChannel are enums, allergies is repeated, dotted and unknown names are never probed.
        #expect(numbers == ["name": 1, "preferredDoctorId": 12])
    }

    @Test func stringFieldsEncodedDirectlyMatchWhatBindingProduces() throws {
        let numbers = RequestBinding.stringFieldNumbers(Clinic_Reception_V1_GetPatientRequest.self, candidates: ["patientId", "reason"])
        let cases: [[(field: String, value: String)]] = [
            [("patientId", "0b0e7c3e-3f6a-4a53-9b1e-0d2a3c4b5d6e")],
            [("reason", "复诊 \"quoted\" \\ text"), ("patientId", "p")],
            [("patientId", "first"), ("patientId", "second")],
            [("patientId", ""), ("reason", String(repeating: "长", count: 100))],
            [],
        ]
        for parameters in cases {
            let direct = try #require(RequestBinding.encodeStringFields(parameters, numbers: numbers))
            let bound = try RequestBinding.bind(Clinic_Reception_V1_GetPatientRequest.self, body: [], parameters: parameters)
            #expect(direct == bound, "\(parameters)")
        }
        // A parameter for any other field leaves it to the JSON binding, which checks and names it.
        #expect(RequestBinding.encodeStringFields([("patientId", "p"), ("pageSize", "5")], numbers: numbers) == nil)
    }

    @Test func parameterValuesAreQuotedSafely() {
        #expect(RequestBinding.json(for: ("a.b", #"x"y\z"#)) == #"{"a":{"b":"x\"y\\z"}}"#)
        #expect(RequestBinding.json(for: ("vip", "true")) == #"{"vip":true}"#)
    }

    @Test func grpcTimeoutHeaders() {
        #expect(GrpcTimeout.parse("500m") == .milliseconds(500))
        #expect(GrpcTimeout.parse("5S") == .seconds(5))
        #expect(GrpcTimeout.parse("2M") == .seconds(120))
        #expect(GrpcTimeout.parse("1H") == .seconds(3600))
        #expect(GrpcTimeout.parse("250u") == .microseconds(250))
        #expect(GrpcTimeout.parse("7n") == .nanoseconds(7))
        for bad in ["", "5", "S", "-5S", "0S", "5s", "123456789S", "1.5S"] {
            #expect(GrpcTimeout.parse(bad) == nil, "\(bad) should be rejected")
        }
    }

    @Test func statusCodesMapLikeGrpcGateway() {
        let expected: [(StatusCode, Int)] = [
            (.ok, 200), (.cancelled, 499), (.unknown, 500), (.invalidArgument, 400), (.deadlineExceeded, 504),
            (.notFound, 404), (.alreadyExists, 409), (.permissionDenied, 403), (.resourceExhausted, 429),
            (.failedPrecondition, 400), (.aborted, 409), (.outOfRange, 400), (.unimplemented, 501),
            (.internal, 500), (.unavailable, 503), (.dataLoss, 500), (.unauthenticated, 401),
        ]
        for (code, status) in expected {
            #expect(code.httpStatus == status, "\(code.name)")
        }
    }

    @Test func errorBodyShape() throws {
        let error = GatewayError(.invalidArgument, "phone: \"bad\"", details: [("phone", "must be 11 digits")])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(error.jsonBody)) as? [String: Any])
        #expect(json["code"] as? Int == 3)
        #expect(json["message"] as? String == "phone: \"bad\"")
        let details = try #require(json["details"] as? [[String: String]])
        #expect(details == [["field": "phone", "description": "must be 11 digits"]])
        #expect(error.status.code == 400)
    }

    @Test func routeTemplates() {
        let route = GatewayRoutes.all.first { $0.path == "/v1/patients/{patient_id}/contact" }
        #expect(route?.pathParameters == ["patient_id"])
        #expect(route?.routerPath == "/v1/patients/:p0/contact")
        #expect(jsonName("patient_id") == "patientId")
        // One route per rpc, and every client-facing rpc of staff, reception, scheduling, billing and follow-up has one
        // (staff's key and revocation look-ups and the message senders' claims are for the bus only).
        let routed = GatewayRoutes.all.map(\.rpc)
        #expect(routed.count == Set(routed).count)
        let busOnly: Set = [Clinic_Staff_V1_Staff.listSigningKeys.fullName, Clinic_Staff_V1_Staff.getRevocations.fullName,
                            Clinic_Followup_V1_Messages.claimMessages.fullName, Clinic_Followup_V1_Messages.reportDelivery.fullName]
        #expect(Set(routed) == Set(Clinic_Staff_V1_Staff.allMethods + Clinic_Reception_V1_Reception.allMethods
                                   + Clinic_Scheduling_V1_Scheduling.allMethods + Clinic_Billing_V1_FeeSchedule.allMethods
                                   + Clinic_Billing_V1_Cashier.allMethods + Clinic_Billing_V1_Refunds.allMethods
                                   + Clinic_Billing_V1_DailyClose.allMethods + Clinic_Billing_V1_Corrections.allMethods
                                   + Clinic_Billing_V1_Discounts.allMethods + Clinic_Billing_V1_Printing.allMethods
                                   + Clinic_Billing_V1_Reports.allMethods + Clinic_Followup_V1_FollowUps.allMethods
                                   + Clinic_Followup_V1_FollowUpRules.allMethods + Clinic_Followup_V1_Messages.allMethods
                                   + Clinic_Followup_V1_Complaints.allMethods + Clinic_Followup_V1_FollowUpReports.allMethods)
                                  .subtracting(busOnly))
    }

    @Test func pathFieldsFillANestedMessage() throws {
        let route = try #require(GatewayRoutes.all.first { $0.rpc == Clinic_Scheduling_V1_Scheduling.setRosterOverride.fullName })
        #expect(route.pathParameters == ["doctor_id", "date"])
        #expect(route.pathParameterFields == ["override.doctorId", "override.date"])
        let bytes = try route.bind(Array(#"{"override":{"dayOff":true,"reason":"培训"}}"#.utf8),
                                   Array(zip(route.pathParameterFields, ["d0000000-0000-4000-8000-000000000001", "2026-12-01"])))
        let request = try Clinic_Scheduling_V1_SetRosterOverrideRequest(serializedBytes: bytes)
        #expect(request.override.doctorID == "d0000000-0000-4000-8000-000000000001")
        #expect(request.override.date == "2026-12-01")
        #expect(request.override.dayOff)
        #expect(request.override.reason == "培训")
    }

    @Test func aBadValueInsideTheBodyNamesItsField() {
        let cases: [(body: String, field: String)] = [
            (#"{"doctorId":"d","source":"BOOKING_SOURCE_TELEPATHY"}"#, "source"),
            (#"{"doctorId":"d","prospect":{"name":"x","gender":"GENDER_OTHERWISE"}}"#, "prospect.gender"),
            (#"{"doctorId":"d","startTime":"next tuesday"}"#, "startTime"),
            (#"{"durationMinutes":"half an hour"}"#, "durationMinutes"),
        ]
        for (body, field) in cases {
            do {
                _ = try RequestBinding.bind(Clinic_Scheduling_V1_BookAppointmentRequest.self, body: Array(body.utf8), parameters: [])
                Issue.record("\(body) was accepted")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.details.first?.field == field, "\(body)")
            }
        }
        #expect(RequestBinding.culprit(in: Array("[1,2]".utf8), of: Clinic_Scheduling_V1_BookAppointmentRequest.self) == nil)
    }
}
