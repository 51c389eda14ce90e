"""The embedded AWS: moto on ConfigLedger's port, and the CloudTrail events it emits.

Modules, in the order a request meets them:

    wire.py      the request as the sandbox sees it, AWS's auth errors per protocol
    gateway.py   authenticate -> moto (x-moto-account-id) -> record the event if it mutated
    presign_v2.py  S3's SigV2 presigned URLs (boto3's default), beside api/auth's SigV4
    moto_app.py  moto's own WSGI dispatcher, called in-process, and its reset
    services.py  which service and operation a request is (X-Amz-Target, Action, REST route)
    routes.py    the REST matcher: method + path + query against botocore's requestUri
    decode.py    request members / response elements in CloudTrail's lowerCamel form
    trail.py     the CloudTrail record: userIdentity, readOnly, the resources it names
    event_names.py  CloudTrail's eventName where it is not the operation's (S3, Lambda)
    audit.py     ConfigLedger's own Config API calls, audited the same way
    lookup.py    CloudTrail's LookupEvents, answered from the store

Nothing here imports moto until a sandbox is actually built, so ``--no-sandbox``
never pays for it.
"""
