import Testing

@testable import SwiftletLambda

@Suite("LambdaRoutes")
struct LambdaRoutesTests {
    static let arn = "arn:aws:lambda:us-east-1:123456789012:function:f"

    @Test(arguments: [
        ("GET", "/health", LambdaRoute.health),
        ("POST", "/2015-03-31/functions", .createFunction),
        ("POST", "/2015-03-31/functions/", .createFunction),
        ("GET", "/2015-03-31/functions", .listFunctions),
        ("GET", "/2015-03-31/functions/", .listFunctions),
        ("GET", "/2015-03-31/functions/f", .getFunction("f")),
        ("GET", "/2015-03-31/functions/f/", .getFunction("f")),
        ("GET", "/2015-03-31/functions/\(arn)", .getFunction(arn)),
        ("DELETE", "/2015-03-31/functions/f", .deleteFunction("f")),
        ("GET", "/2015-03-31/functions/f/configuration", .getFunctionConfiguration("f")),
        ("GET", "/2015-03-31/functions/f/configuration/", .getFunctionConfiguration("f")),
        ("PUT", "/2015-03-31/functions/f/configuration", .updateFunctionConfiguration("f")),
        ("PUT", "/2015-03-31/functions/f/code", .updateFunctionCode("f")),
        ("POST", "/2015-03-31/functions/f/versions", .publishVersion("f")),
        ("GET", "/2015-03-31/functions/f/versions", .listVersionsByFunction("f")),
        ("GET", "/2016-08-19/account-settings", .getAccountSettings),
        ("POST", "/2015-03-31/event-source-mappings/", .createEventSourceMapping),
        ("GET", "/2015-03-31/event-source-mappings/", .listEventSourceMappings),
        ("GET", "/2015-03-31/event-source-mappings/u-1", .getEventSourceMapping("u-1")),
        ("PUT", "/2015-03-31/event-source-mappings/u-1", .updateEventSourceMapping("u-1")),
        ("DELETE", "/2015-03-31/event-source-mappings/u-1", .deleteEventSourceMapping("u-1")),
        ("GET", "/2016-08-19/account-settings/", .getAccountSettings),
        ("PUT", "/2017-10-31/functions/f/concurrency", .putFunctionConcurrency("f")),
        ("DELETE", "/2017-10-31/functions/f/concurrency", .deleteFunctionConcurrency("f")),
        ("GET", "/2019-09-30/functions/f/concurrency", .getFunctionConcurrency("f")),
        ("POST", "/2014-11-13/functions/f/invoke-async", .invokeAsync("f")),
        ("PUT", "/2019-09-25/functions/f/event-invoke-config", .putEventInvokeConfig("f")),
        ("POST", "/2019-09-25/functions/f/event-invoke-config", .updateEventInvokeConfig("f")),
        ("GET", "/2019-09-25/functions/f/event-invoke-config", .getEventInvokeConfig("f")),
        ("DELETE", "/2019-09-25/functions/f/event-invoke-config", .deleteEventInvokeConfig("f")),
        ("GET", "/2019-09-25/functions/f/event-invoke-config/list", .listEventInvokeConfigs("f")),
        ("POST", "/2014-11-13/functions/f/invoke-async/", .invokeAsync("f")),
        ("PUT", "/2019-09-30/functions/f/provisioned-concurrency", .putProvisionedConcurrency("f")),
        ("GET", "/2019-09-30/functions/f/provisioned-concurrency", .getProvisionedConcurrency("f")),
        ("DELETE", "/2019-09-30/functions/f/provisioned-concurrency", .deleteProvisionedConcurrency("f")),
        ("PUT", "/2017-10-31/functions/\(arn)/concurrency", .putFunctionConcurrency(arn)),
        ("GET", "/2017-03-31/tags/\(arn)", .listTags(arn)),
        ("POST", "/2017-03-31/tags/\(arn)", .tagResource(arn)),
        ("DELETE", "/2017-03-31/tags/\(arn)", .untagResource(arn)),
        ("GET", "/2017-03-31/tags/\(arn)/", .listTags(arn)),
        ("GET", "/2017-03-31/tags/not/an/arn", .listTags("not/an/arn")),
        ("GET", "/_swiftlet/code/abc123", .downloadCode("abc123")),
    ])
    func knownRouteIsMatched(method: String, path: String, route: LambdaRoute) {
        #expect(LambdaRoutes.match(method: method, path: path) == route)
    }

    @Test(arguments: [
        ("POST", "/health"),
        ("GET", "/"),
        ("GET", ""),
        ("GET", "/2015-03-31"),
        ("GET", "/2015-03-31/layers"),
        ("PATCH", "/2015-03-31/functions/f"),
        ("PUT", "/2015-03-31/functions"),
        ("POST", "/2015-03-31/functions/f"),
        ("GET", "/2015-03-31/functions/f/code"),
        ("DELETE", "/2015-03-31/functions/f/configuration"),
        ("GET", "/2015-03-31/functions/f/configuration/extra"),
        ("GET", "/2015-03-31/functions/f/policy"),
        ("POST", "/2016-08-19/account-settings"),
        ("GET", "/2016-08-19/account-settings/more"),
        ("GET", "/2017-10-31/functions/f/concurrency"),
        ("PUT", "/2019-09-30/functions/f/concurrency"),
        ("DELETE", "/2019-09-30/functions/f/concurrency"),
        ("PUT", "/2017-10-31/functions/f/other"),
        ("POST", "/2019-09-30/functions/f/provisioned-concurrency"),
        ("GET", "/2014-11-13/functions/f/invoke-async"),
        ("POST", "/2019-09-25/functions/f/event-invoke-config/list"),
        ("PATCH", "/2019-09-25/functions/f/event-invoke-config"),
        ("GET", "/2017-10-31/functions/f/provisioned-concurrency"),
        ("GET", "/2017-03-31/tags"),
        ("PUT", "/2017-03-31/tags/\(arn)"),
        ("GET", "/2099-01-01/functions"),
        ("POST", "/_swiftlet/code/abc123"),
        ("GET", "/_swiftlet/code"),
        ("GET", "/2018-06-01/runtime/invocation/next"),
    ])
    func unknownRouteIsNotMatched(method: String, path: String) {
        #expect(LambdaRoutes.match(method: method, path: path) == nil)
    }

    @Test func operationNamesAreAWSs() {
        #expect(LambdaRoute.createFunction.operationName == "CreateFunction")
        #expect(LambdaRoute.updateFunctionCode("f").operationName == "UpdateFunctionCode")
        #expect(LambdaRoute.listTags("x").operationName == "ListTags")
        #expect(LambdaRoute.getAccountSettings.operationName == "GetAccountSettings")
    }
}
