import SwiftletModel
import Testing

@Suite("AWSError")
struct AWSErrorTests {
    /// The body's fields as `name=value`, in order.
    private func pairs(_ body: [(String, String)]) -> [String] {
        body.map { "\($0.0)=\($0.1)" }
    }

    @Test func mostErrorsCarryTypeAndLowercaseMessage() {
        let error = AWSError.resourceConflict("Function already exist: f")
        #expect(error.status == 409)
        #expect(error.type == "ResourceConflictException")
        #expect(pairs(error.body) == ["Type=User", "message=Function already exist: f"])
    }

    @Test func resourceNotFoundCarriesTypeAndCapitalMessage() {
        let error = AWSError.resourceNotFound("Function not found: arn")
        #expect(error.status == 404)
        #expect(pairs(error.body) == ["Type=User", "Message=Function not found: arn"])
    }

    @Test func validationExceptionCarriesTheMessageOnly() {
        let error = AWSError.validation([.missing("role")])
        #expect(error.status == 400)
        #expect(error.type == "ValidationException")
        #expect(
            pairs(error.body)
                == [
                    "message=1 validation error detected: Value null at 'role' failed to satisfy constraint: "
                        + "Member must not be null"
                ])
    }

    @Test func serviceExceptionIsTheServicesFault() {
        let error = AWSError.service("disk full")
        #expect(error.status == 500)
        #expect(pairs(error.body) == ["Type=Service", "Message=disk full"])
    }

    @Test func extraFieldsFollowTheMessageInNameOrder() {
        let error = AWSError(
            type: "TooManyRequestsException", status: 429, message: "Rate exceeded",
            extraFields: ["Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "RetryAfter": "1"])
        #expect(
            pairs(error.body)
                == [
                    "Type=User", "message=Rate exceeded", "Reason=ReservedFunctionConcurrentInvocationLimitExceeded",
                    "RetryAfter=1",
                ])
    }

    @Test func validationCountsViolationsAndJoinsThemWithSemicolons() {
        let error = AWSError.validation([
            .value("x", at: "a", "Member must be good"), .missing("b"), .value("7", at: "c", "Member must be even"),
        ])
        #expect(
            error.message
                == "3 validation errors detected: Value 'x' at 'a' failed to satisfy constraint: Member must be good; "
                + "Value null at 'b' failed to satisfy constraint: Member must not be null; "
                + "Value '7' at 'c' failed to satisfy constraint: Member must be even")
    }

    @Test func fixedErrorsHaveTheirWireTypesAndStatuses() {
        #expect(AWSError.revisionMismatch.type == "PreconditionFailedException")
        #expect(AWSError.revisionMismatch.status == 412)
        #expect(AWSError.requestTooLarge("big").type == "RequestEntityTooLargeException")
        #expect(AWSError.requestTooLarge("big").status == 413)
        #expect(AWSError.invalidRequestContent("bad").type == "InvalidRequestContentException")
        #expect(AWSError.invalidParameterValue("bad").type == "InvalidParameterValueException")
        let unknown = AWSError.unknownOperation(method: "PATCH", path: "/x")
        #expect(unknown.status == 404)
        #expect(unknown.type == "UnknownOperationException")
        #expect(unknown.message.hasPrefix("No operation matches PATCH /x."))
    }

    @Test func descriptionShowsTypeStatusAndMessage() {
        #expect(AWSError.resourceNotFound("gone").description == "ResourceNotFoundException (404): gone")
    }
}
