"""IAM resource types: global, recorded once per account with awsRegion "global"."""
