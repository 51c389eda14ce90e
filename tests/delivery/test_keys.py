"""AWS's S3 key layout (spec 6.2) for one-digit months and days, and with a prefix."""

from __future__ import annotations

from configledger.delivery.keys import Layout

# 2016-09-27T19:58:18Z and 2016-10-06T16:46:16.261Z, the spec's examples.
SEPT = 1_475_006_298_000
OCT = 1_475_772_376_261


def test_history_snapshot_and_oversized_keys_match_aws_examples() -> None:
    layout = Layout("123456789012", "us-east-2")
    assert layout.history("AWS::CloudTrail::Trail", SEPT, SEPT, 1, SEPT) == (
        "AWSLogs/123456789012/Config/us-east-2/2016/9/27/ConfigHistory/123456789012_Config_"
        "us-east-2_ConfigHistory_AWS::CloudTrail::Trail_20160927T195818Z_20160927T195818Z_1.json.gz"
    )
    assert layout.snapshot("16da64e4-cb65-4846-b061-e6c3ba43cb96", SEPT - 4_719_000) == (
        "AWSLogs/123456789012/Config/us-east-2/2016/9/27/ConfigSnapshot/123456789012_Config_"
        "us-east-2_ConfigSnapshot_20160927T183939Z_16da64e4-cb65-4846-b061-e6c3ba43cb96.json.gz"
    )
    west = Layout("123456789012", "us-west-2")
    assert west.oversized("AWS::EC2::Instance", "i-0123", OCT) == (
        "AWSLogs/123456789012/Config/us-west-2/2016/10/6/OversizedChangeNotification/"
        "AWS::EC2::Instance/i-0123/123456789012_Config_us-west-2_ChangeNotification_"
        "AWS::EC2::Instance_i-0123_20161006T164616Z_0.json.gz"
    )


def test_a_prefix_goes_before_awslogs() -> None:
    layout = Layout("123456789012", "eu-west-1", "org/config")
    assert layout.writability_check() == (
        "org/config/AWSLogs/123456789012/Config/ConfigWritabilityCheckFile"
    )
    assert layout.history("T", SEPT, OCT, 2, OCT).startswith(
        "org/config/AWSLogs/123456789012/Config/eu-west-1/2016/10/6/ConfigHistory/"
    )
