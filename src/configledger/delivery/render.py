"""The stream form of a stored item, rendered straight to JSON bytes for the files.

Equal, as JSON, to ``ConfigurationItem.from_record(r).to_stream()`` (a test holds the two
together), but the configuration, already JSON text in the store, is spliced in as is
rather than parsed and serialised again: for a 100,000-item snapshot that is most of the
work. Supplementary values are parsed as ``to_stream`` parses them.
"""

from __future__ import annotations

import orjson

from configledger.history.items import stream_from_record


def stream_json(record: bytes) -> bytes:
    return orjson.dumps(stream_from_record(record, splice_configuration=True))
