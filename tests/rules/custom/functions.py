"""Lambda rule functions as their authors write them for AWS Config: only boto3 and the
public event format, nothing of ConfigLedger. Each is a source text zipped into a
deployment package by ``package``."""

from __future__ import annotations

import io
import zipfile

# Compliant when the item's configuration has the parameter ``key`` equal to ``want``;
# periodic events report on the account. Reads oversized events the documented way.
PLAIN = """
import json
import boto3


def lambda_handler(event, context):
    invoking = json.loads(event["invokingEvent"])
    params = json.loads(event.get("ruleParameters") or "{}")
    config = boto3.client("config")
    kind = invoking["messageType"]
    if kind == "ScheduledNotification":
        evaluation = {
            "ComplianceResourceType": "AWS::::Account",
            "ComplianceResourceId": event["accountId"],
            "ComplianceType": "COMPLIANT",
            "Annotation": "periodic from " + context.function_name,
            "OrderingTimestamp": invoking["notificationCreationTime"],
        }
    else:
        if kind == "OversizedConfigurationItemChangeNotification":
            summary = invoking["configurationItemSummary"]
            found = config.get_resource_config_history(
                resourceType=summary["resourceType"],
                resourceId=summary["resourceId"],
                laterTime=summary["configurationItemCaptureTime"],
                limit=1,
            )["configurationItems"][0]
            item = {
                "resourceType": found["resourceType"],
                "resourceId": found["resourceId"],
                "configurationItemCaptureTime": found["configurationItemCaptureTime"],
                "configuration": json.loads(found["configuration"]),
            }
            note = "oversized"
        else:
            item = invoking["configurationItem"]
            note = "change"
        good = item["configuration"].get(params["key"]) == params["want"]
        evaluation = {
            "ComplianceResourceType": item["resourceType"],
            "ComplianceResourceId": item["resourceId"],
            "ComplianceType": "COMPLIANT" if good else "NON_COMPLIANT",
            "Annotation": note + " " + event["configRuleName"] + " " + str(event["eventLeftScope"]),
            "OrderingTimestamp": item["configurationItemCaptureTime"],
        }
    config.put_evaluations(Evaluations=[evaluation], ResultToken=event["resultToken"])
"""

RAISES = """
def lambda_handler(event, context):
    raise ValueError("the rule is broken")
"""

SLEEPS = """
import time


def lambda_handler(event, context):
    time.sleep(30)
"""

SILENT = """
import json


def lambda_handler(event, context):
    json.loads(event["invokingEvent"])
    return "nothing to report"
"""

# The shape of the RDK's generated rule_code.py: the handler validates parameters,
# checks applicability, evaluates, and sends the evaluations in batches of 100.
RDK_STYLE = """
import datetime
import json
import os

import boto3
import botocore

DEFAULT_RESOURCE_TYPE = "AWS::::Account"
ASSUME_ROLE_MODE = False
CONFIG_ROLE_TIMEOUT_SECONDS = 900


def evaluate_compliance(event, configuration_item, valid_rule_parameters):
    limit = int(valid_rule_parameters["maxAgents"])
    if len(configuration_item["configuration"].get("agents", [])) > limit:
        return build_evaluation_from_config_item(
            configuration_item, "NON_COMPLIANT", annotation="more than %d agents" % limit
        )
    return "COMPLIANT"


def evaluate_parameters(rule_parameters):
    if "maxAgents" not in rule_parameters:
        raise ValueError("maxAgents is required")
    return rule_parameters


def build_evaluation_from_config_item(configuration_item, compliance_type, annotation=None):
    evaluation = {
        "ComplianceResourceType": configuration_item["resourceType"],
        "ComplianceResourceId": configuration_item["resourceId"],
        "ComplianceType": compliance_type,
        "OrderingTimestamp": configuration_item["configurationItemCaptureTime"],
    }
    if annotation:
        evaluation["Annotation"] = annotation
    return evaluation


def get_client(service, event, region=None):
    if not ASSUME_ROLE_MODE:
        return boto3.client(service, region)
    raise NotImplementedError


def is_applicable(configuration_item, event):
    status = configuration_item["configurationItemStatus"]
    event_left_scope = event["eventLeftScope"]
    return status in ("OK", "ResourceDiscovered") and not event_left_scope


def get_configuration_item(invoking_event):
    return invoking_event["configurationItem"]


def lambda_handler(event, context):
    global AWS_CONFIG_CLIENT
    check_defined(event, "event")
    invoking_event = json.loads(event["invokingEvent"])
    rule_parameters = {}
    if "ruleParameters" in event:
        rule_parameters = json.loads(event["ruleParameters"])
    valid_rule_parameters = evaluate_parameters(rule_parameters)
    AWS_CONFIG_CLIENT = get_client("config", event)
    configuration_item = get_configuration_item(invoking_event)
    if is_applicable(configuration_item, event):
        compliance_result = evaluate_compliance(event, configuration_item, valid_rule_parameters)
    else:
        compliance_result = "NOT_APPLICABLE"
    evaluations = []
    if isinstance(compliance_result, str):
        evaluations.append(build_evaluation_from_config_item(configuration_item, compliance_result))
    else:
        evaluations.append(compliance_result)
    evaluation_copy = evaluations[:]
    while evaluation_copy:
        AWS_CONFIG_CLIENT.put_evaluations(
            Evaluations=evaluation_copy[:100], ResultToken=event["resultToken"]
        )
        del evaluation_copy[:100]
    return evaluations


def check_defined(reference, reference_name):
    if not reference:
        raise Exception("Error: " + reference_name + " is not defined")
    return reference
"""


def package(source: str, module: str = "rule") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{module}.py", source)
    return buffer.getvalue()


# Reports its environment and how many invocations its process has served: Lambda keeps
# an execution environment warm, so module state survives from one invocation to the next.
WARM = """
import json
import os

import boto3

CALLS = 0


def lambda_handler(event, context):
    global CALLS
    CALLS += 1
    item = json.loads(event["invokingEvent"])["configurationItem"]
    note = " ".join([
        os.environ["GREETING"], os.environ["AWS_REGION"], context.function_name,
        str(0 < context.get_remaining_time_in_millis() <= 30000), str(CALLS),
    ])
    boto3.client("config").put_evaluations(
        Evaluations=[{
            "ComplianceResourceType": item["resourceType"],
            "ComplianceResourceId": item["resourceId"],
            "ComplianceType": "COMPLIANT",
            "Annotation": note,
            "OrderingTimestamp": item["configurationItemCaptureTime"],
        }],
        ResultToken=event["resultToken"],
    )
"""

# The first invocation leaves its pid in MARKER and hangs (the server is killed under it);
# any later one reports.
HANGS_ONCE = """
import json
import os
import time

import boto3


def lambda_handler(event, context):
    marker = os.environ["MARKER"]
    if not os.path.exists(marker):
        with open(marker, "w") as fh:
            fh.write(str(os.getpid()))
        time.sleep(600)
    item = json.loads(event["invokingEvent"])["configurationItem"]
    boto3.client("config").put_evaluations(
        Evaluations=[{
            "ComplianceResourceType": item["resourceType"],
            "ComplianceResourceId": item["resourceId"],
            "ComplianceType": "NON_COMPLIANT",
            "Annotation": "after the restart",
            "OrderingTimestamp": item["configurationItemCaptureTime"],
        }],
        ResultToken=event["resultToken"],
    )
"""

# Writes what it was given (the event, its environment, its context, its process) as a
# line of JSON to the file DUMP names, then reports on the event's resource.
DUMP = """
import json
import os

import boto3

SEEN = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "LAMBDA_TASK_ROOT", "TEAM")


def lambda_handler(event, context):
    with open(os.environ["DUMP"], "a") as out:
        out.write(json.dumps({
            "event": event,
            "env": {name: os.environ.get(name) for name in SEEN},
            "pid": os.getpid(),
            "cwd": os.getcwd(),
            "function": context.function_name,
            "remaining": context.get_remaining_time_in_millis(),
        }) + "\\n")
    invoking = json.loads(event["invokingEvent"])
    kind = invoking["messageType"]
    if kind == "ScheduledNotification":
        key = ("AWS::::Account", event["accountId"], invoking["notificationCreationTime"])
    else:
        item = invoking.get("configurationItem") or invoking["configurationItemSummary"]
        key = (item["resourceType"], item["resourceId"], item["configurationItemCaptureTime"])
    boto3.client("config").put_evaluations(
        Evaluations=[{
            "ComplianceResourceType": key[0],
            "ComplianceResourceId": key[1],
            "ComplianceType": "COMPLIANT",
            "Annotation": kind,
            "OrderingTimestamp": key[2],
        }],
        ResultToken=event["resultToken"],
    )
"""
