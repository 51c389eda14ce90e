"""The stream form of a stored item, rendered straight to JSON bytes for the files.

Equal, as JSON, to ``ConfigurationItem.from_record(r).to_stream()`` (a test holds the two
together), but the configuration, already JSON text in the store, is spliced in as is
rather than parsed and serialised again: for a 100,000-item snapshot that is most of the
work. Supplementary values are parsed as ``to_stream`` parses them.
"""

from __future__ import annotations

from typing import Any

import orjson

from configledger.clock import iso_ms


def _maybe_json(value: str) -> Any:
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def stream_json(record: bytes) -> bytes:
    d = orjson.loads(record)
    configuration = d["cfg"]
    created = d["ct"]
    out: dict[str, Any] = {
        "relatedEvents": d["ev"],
        "relationships": [
            {"resourceId": r[2], "resourceName": r[3], "resourceType": r[0], "name": r[1]}
            for r in d["rel"]
        ],
        "configuration": (
            orjson.Fragment(configuration.encode()) if configuration is not None else None
        ),
        "supplementaryConfiguration": {k: _maybe_json(v) for k, v in d["sup"].items()},
        "tags": d["tags"],
        "configurationItemVersion": d["v"],
        "configurationItemCaptureTime": iso_ms(d["c"]),
        "configurationStateId": d["s"],
        "awsAccountId": d["a"],
        "configurationItemStatus": d["st"],
        "resourceType": d["t"],
        "resourceId": d["i"],
        "resourceName": d["n"],
        "ARN": d["arn"],
        "awsRegion": d["r"],
        "availabilityZone": d["az"],
        "configurationStateMd5Hash": "",
        "resourceCreationTime": iso_ms(created) if created is not None else None,
    }
    if d.get("rf") is not None:
        out["recordingFrequency"] = d["rf"]
        out["configurationItemDeliveryTime"] = iso_ms(d.get("dt") or d["c"])
    return orjson.dumps(out)
