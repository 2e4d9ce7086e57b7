"""Hourly sync: puts one `sync` job on the jobs queue.

The work itself runs in the worker service, next to the database and Redis; this
function only schedules it, so it needs no network placement and no database access.
"""

import json
import os

import boto3

_sqs = boto3.client("sqs")


def handler(event, context):
    job = {
        "type": "sync",
        "scheduled_at": event.get("time"),
        "requested_by": context.function_name,
    }
    _sqs.send_message(QueueUrl=os.environ["JOBS_QUEUE_URL"], MessageBody=json.dumps(job))
    return job
