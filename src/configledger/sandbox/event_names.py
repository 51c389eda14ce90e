"""CloudTrail's eventName for an API operation, where it is not the operation's name.

Most services log a call under its operation name. Two that ConfigLedger records do not:

* Amazon S3 logs some bucket operations under the older names of its REST API
  (PutPublicAccessBlock is ``PutBucketPublicAccessBlock``, PutBucketNotificationConfiguration
  is ``PutBucketNotification``, PutBucketLifecycleConfiguration is ``PutBucketLifecycle``).
* AWS Lambda logs its management calls with the version of the API they belong to
  (``CreateFunction20150331``, ``UpdateFunctionConfiguration20150331v2``), as listed in
  Lambda's developer guide ("Logging AWS Lambda API calls using AWS CloudTrail").

Reads keep their operation names in both, and are never recorded by the sandbox anyway.
A resource type declares the names listed here, since a real trail uses them too.
"""

from __future__ import annotations

_S3 = {
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "DeleteBucketPublicAccessBlock",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "PutBucketLifecycleConfiguration": "PutBucketLifecycle",
}

_LAMBDA = {
    "CreateFunction": "CreateFunction20150331",
    "DeleteFunction": "DeleteFunction20150331",
    "UpdateFunctionCode": "UpdateFunctionCode20150331v2",
    "UpdateFunctionConfiguration": "UpdateFunctionConfiguration20150331v2",
    "PublishVersion": "PublishVersion20150331",
    "CreateAlias": "CreateAlias20150331",
    "UpdateAlias": "UpdateAlias20150331",
    "DeleteAlias": "DeleteAlias20150331",
    "CreateEventSourceMapping": "CreateEventSourceMapping20150331",
    "UpdateEventSourceMapping": "UpdateEventSourceMapping20150331",
    "DeleteEventSourceMapping": "DeleteEventSourceMapping20150331",
    "AddPermission": "AddPermission20150331v2",
    "RemovePermission": "RemovePermission20150331v2",
    "PublishLayerVersion": "PublishLayerVersion20181031",
    "DeleteLayerVersion": "DeleteLayerVersion20181031",
    "PutFunctionConcurrency": "PutFunctionConcurrency20171031",
    "DeleteFunctionConcurrency": "DeleteFunctionConcurrency20171031",
    "TagResource": "TagResource20170331v2",
    "UntagResource": "UntagResource20170331v2",
}

# By signing name (the eventSource's service part).
_BY_SERVICE = {"s3": _S3, "lambda": _LAMBDA}


def event_name(service: str, operation: str) -> str:
    """The eventName CloudTrail gives ``operation`` of the service signed as ``service``."""
    return _BY_SERVICE.get(service, {}).get(operation, operation)
