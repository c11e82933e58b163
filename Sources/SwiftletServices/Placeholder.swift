// The CloudWatch Logs service lives here.
