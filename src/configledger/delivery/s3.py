"""Writing delivery files to S3: gzip streamed into a multipart upload.

A file is produced as a stream of JSON fragments; a second thread compresses and
uploads them, so rendering items (Python, holding the GIL) and compressing them (zlib,
releasing it) overlap, and at most a few parts are in memory whatever the file's size.
Every object is written with ``bucket-owner-full-control`` and encrypted as the channel
asks (SSE-S3, or SSE-KMS with its key), under a key that is a function of its content's
identity, so a retried write replaces the object rather than adding one.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import zlib
from collections.abc import Iterable
from typing import Any

PART_SIZE = 8 * 1024 * 1024  # S3's minimum is 5 MiB for every part but the last
_CHUNK = 256 * 1024  # raw bytes handed to the compressing thread at a time
GZIP_LEVEL = 6


def object_args(kms_key: str | None) -> dict[str, str]:
    if kms_key:
        return {
            "ACL": "bucket-owner-full-control",
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": kms_key,
        }
    return {"ACL": "bucket-owner-full-control", "ServerSideEncryption": "AES256"}


def put_small(s3: Any, bucket: str, key: str, body: bytes, kms_key: str | None) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=body, **object_args(kms_key))


def gzip_bytes(data: bytes) -> bytes:
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


class _Uploader:
    """The compressing and uploading half, run on its own thread."""

    def __init__(self, s3: Any, bucket: str, key: str, kms_key: str | None) -> None:
        self.s3, self.bucket, self.key, self.kms_key = s3, bucket, key, kms_key
        self.inbox: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.compressed = 0
        self._packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        self._pending: list[bytes] = []
        self._pending_size = 0

    def run(self) -> None:
        ended = False
        try:
            while True:
                chunk = self.inbox.get()
                if chunk is None:
                    ended = True
                    break
                self._add(self._packer.compress(chunk))
            self._add(self._packer.flush())
            self._finish()
        except BaseException as error:  # handed to the producer, which raises it
            self.error = error
            self._abort()
            while not ended:  # take what the producer still hands over, so it never blocks
                ended = self.inbox.get() is None

    def _add(self, data: bytes) -> None:
        if not data:
            return
        self._pending.append(data)
        self._pending_size += len(data)
        self.compressed += len(data)
        if self._pending_size >= PART_SIZE:
            self._upload_part()

    def _upload_part(self) -> None:
        body = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        if self.upload_id is None:
            answer = self.s3.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, **object_args(self.kms_key)
            )
            self.upload_id = answer["UploadId"]
        number = len(self.parts) + 1
        answer = self.s3.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        self.parts.append({"ETag": answer["ETag"], "PartNumber": number})

    def _finish(self) -> None:
        if self.upload_id is None:  # small enough for one PUT
            body = b"".join(self._pending)
            self._pending = []
            put_small(self.s3, self.bucket, self.key, body, self.kms_key)
            return
        if self._pending:
            self._upload_part()
        self.s3.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )

    def _abort(self) -> None:
        if self.upload_id is None:
            return
        # On failure the parts are left to the bucket's lifecycle rules.
        with contextlib.suppress(Exception):
            self.s3.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )


def write_gzip_stream(
    s3: Any, bucket: str, key: str, fragments: Iterable[bytes], kms_key: str | None
) -> int:
    """Write the concatenation of ``fragments`` gzipped to ``bucket/key``; the
    compressed size. Raises the first error of either thread."""
    uploader = _Uploader(s3, bucket, key, kms_key)
    thread = threading.Thread(target=uploader.run, name="configledger-s3-upload", daemon=True)
    thread.start()
    buffer: list[bytes] = []
    size = 0
    try:
        for fragment in fragments:
            buffer.append(fragment)
            size += len(fragment)
            if size >= _CHUNK:
                if uploader.error is not None:
                    break
                uploader.inbox.put(b"".join(buffer))
                buffer, size = [], 0
        if buffer and uploader.error is None:
            uploader.inbox.put(b"".join(buffer))
    finally:
        uploader.inbox.put(None)
        thread.join()
    if uploader.error is not None:
        raise uploader.error
    return uploader.compressed
