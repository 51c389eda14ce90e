"""Guard evaluations per second: a 20-clause policy over 10,000 configuration items.

The items are synthetic stream-form AWS Config items of three types (EC2 volumes,
security groups, S3 buckets; about a third each, a tenth of them non-compliant in
some way), so every run exercises passing, failing and skipped rules. The policy has
five rules and 20 clauses (not counting ``when`` conditions) using what CUSTOM_POLICY
rules use in practice: ``when`` on resourceType, ``let`` variables, IN lists and
ranges, regexes, filters with ``some``, query blocks, a rule dependency and custom
messages.

It times ``guard.evaluate`` + ``guard.verdict`` per item (the policy is parsed once,
as the rules engine caches it), best of ``--rounds`` passes, and prints items/second
by the wall clock and per CPU-second of this process (on a shared machine the second
is the steadier figure).
No target is set for this figure; when cfn-guard-rs (the reference engine, Rust) is
installed, the same evaluations through it are timed too and the ratio is printed.

Run: ``.venv/bin/python bench/guard.py [--items 10000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from typing import Any

from _harness import machine_line
from configledger.rules import guard

POLICY = """
let allowed_volume_types = ['gp3', 'io1', 'io2']
let required_tags = ['env', 'owner']

rule volume_checks when resourceType == 'AWS::EC2::Volume' {
    configuration.encrypted == true << volumes must be encrypted >>
    configuration.volumeType IN %allowed_volume_types
    configuration.size IN r[1, 16384]
    configuration.size > 0
    configuration.state IN ['available', 'in-use']
    when configuration.state == 'in-use' {
        configuration.attachments !empty
        configuration.attachments[*].deleteOnTermination is_bool
    }
}

rule is_security_group when resourceType == 'AWS::EC2::SecurityGroup' {
    configuration.ipPermissions exists
}

rule sg_checks when is_security_group {
    configuration.groupName is_string
    configuration.ipPermissions[ some ipv4Ranges[*].cidrIp == '0.0.0.0/0' or
                                 some ipv6Ranges[*].cidrIpv6 == '::/0' ] empty
        << IP Range overly permissive >>
    configuration.groupName != /(?i)default/
    configuration.ipPermissions[*] {
        ipProtocol IN ['tcp', 'udp', 'icmp', '-1']
    }
}

rule bucket_checks when resourceType == 'AWS::S3::Bucket' {
    let pab = supplementaryConfiguration.PublicAccessBlockConfiguration
    %pab.blockPublicAcls == true
    %pab.restrictPublicBuckets == true
    supplementaryConfiguration.BucketVersioningConfiguration.status == 'Enabled'
    let sse = supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[*]
    %sse.applyServerSideEncryptionByDefault.sseAlgorithm IN ['aws:kms', 'AES256']
    configuration.name == /^[a-z0-9.-]+$/
    configuration.name is_string
}

rule tagged when resourceType IN [/EC2::Volume/, /S3::Bucket/] {
    tags exists
    tags.env IN ['prod', 'staging', 'dev']
}
"""
CLAUSES = 20


def volume(rng: random.Random, bad: bool) -> dict[str, Any]:
    state = rng.choice(["available", "in-use"])
    return {
        "resourceType": "AWS::EC2::Volume",
        "resourceId": f"vol-{rng.getrandbits(32):08x}",
        "configuration": {
            "size": rng.randint(8, 2000),
            "state": state,
            "volumeType": "gp2" if bad else rng.choice(["gp3", "io2"]),
            "encrypted": not bad,
            "attachments": [{"instanceId": "i-1", "deleteOnTermination": True}]
            if state == "in-use"
            else [],
        },
        "supplementaryConfiguration": {},
        "tags": {"env": rng.choice(["prod", "dev"]), "owner": "team"},
    }


def security_group(rng: random.Random, bad: bool) -> dict[str, Any]:
    perms = [
        {
            "fromPort": port,
            "toPort": port,
            "ipProtocol": "tcp",
            "ipv4Ranges": [{"cidrIp": "10.0.0.0/16"}],
            "ipv6Ranges": [],
        }
        for port in rng.sample([22, 80, 443, 5432, 8080], 3)
    ]
    if bad:
        perms[0]["ipv4Ranges"].append({"cidrIp": "0.0.0.0/0"})
    return {
        "resourceType": "AWS::EC2::SecurityGroup",
        "resourceId": f"sg-{rng.getrandbits(32):08x}",
        "configuration": {"groupName": f"web-{rng.randint(1, 99)}", "ipPermissions": perms},
        "supplementaryConfiguration": {},
        "tags": {},
    }


def bucket(rng: random.Random, bad: bool) -> dict[str, Any]:
    name = f"bucket-{rng.getrandbits(32):08x}"
    return {
        "resourceType": "AWS::S3::Bucket",
        "resourceId": name,
        "configuration": {"name": name},
        "supplementaryConfiguration": {
            "PublicAccessBlockConfiguration": {
                "blockPublicAcls": not bad,
                "ignorePublicAcls": True,
                "blockPublicPolicy": True,
                "restrictPublicBuckets": True,
            },
            "BucketVersioningConfiguration": {"status": "Enabled"},
            "ServerSideEncryptionConfiguration": {
                "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]
            },
        },
        "tags": {"env": "prod"},
    }


def make_items(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    makers = [volume, security_group, bucket]
    return [makers[i % 3](rng, rng.random() < 0.1) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    policy = guard.parse(POLICY)
    parse_ms = (time.perf_counter() - start) * 1000
    items = make_items(args.items)
    print(machine_line())
    print(f"policy: {len(policy.rules)} rules, {CLAUSES} clauses, parsed in {parse_ms:.2f} ms")

    outcomes: dict[str, int] = {}  # compliance -> items
    best = best_cpu = float("inf")
    for _ in range(args.rounds):
        outcomes.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        for item in items:
            compliance = guard.verdict(guard.evaluate(policy, item)).compliance
            outcomes[str(compliance)] = outcomes.get(str(compliance), 0) + 1
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    rate = len(items) / best
    cpu_rate = len(items) / best_cpu
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print(
        f"guard evaluations: {rate:,.0f} items/s wall, {cpu_rate:,.0f} items/s per CPU-second "
        f"({cpu_rate * CLAUSES:,.0f} clauses/CPU-s; {best_cpu * 1e6 / len(items):.1f} us CPU "
        f"per item; best of {args.rounds} passes over {len(items):,} items)"
    )

    try:
        from cfn_guard_rs.cfn_guard_rs import run_checks_rs
    except ImportError:
        print("reference engine (cfn-guard-rs) not installed: no comparison")
        return
    sample = items[: min(len(items), 2_000)]
    start_cpu = time.process_time()
    for item in sample:
        run_checks_rs(json.dumps(item), POLICY, False)
    reference_rate = len(sample) / (time.process_time() - start_cpu)
    print(
        f"reference engine (cfn-guard-rs; parses the policy on every call): "
        f"{reference_rate:,.0f} items/s per CPU-second over {len(sample):,} items; "
        f"ours / reference = {cpu_rate / reference_rate:.2f}"
    )


if __name__ == "__main__":
    main()
