"""Delivery: the configuration stream on SNS, history files and snapshots in S3.

``outbox.DeliveryWorker`` drives it; ``keys`` and ``messages`` hold AWS's formats;
``s3`` and ``sns`` do the writing through boto3 clients from ``clients``.
"""
