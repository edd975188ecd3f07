"""An `aws_social` number end to end: SNS posts signed here to `POST /webhooks/aws`, replies through boto3 to
the fake AWS (devtools.fake_aws), on SQLite and PostgreSQL, over real HTTP both ways.

The same guarantees as the Cloud API's: one message and one reply however often SNS (same MessageId) or
Meta (same wamid in a new SNS message) delivers it, replies in order per conversation, statuses forward
only, throttling retried and refusals failing the reply, received media through the S3 bucket into the
file store; and nothing stored from what is not proved to come from an allowed topic.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from frontdesk.devtools.fake_aws import aws_event
from tests.support.aws import AWS_NUMBER, REGION, Aws, post_sns
from tests.support.harness import Running, running_frontdesk
from tests.support.payloads import AMELIA, DEMO_NUMBER, envelope, status, text_message


@contextmanager
def aws_frontdesk(database_url: str, graph_url: str, aws: Aws, **settings: Any) -> Iterator[Running]:
    """Frontdesk taking the fake's SNS messages, its demo number turned into an AWS number."""
    with running_frontdesk(database_url, graph_url, **(aws.settings() | settings)) as fd:
        fd.execute(
            "update channels set kind = 'aws_social', aws_phone_number_id = :aws, region = :region "
            "where phone_number_id = :meta",
            aws=AWS_NUMBER,
            region=REGION,
            meta=DEMO_NUMBER,
        )
        yield fd


def entry(payload: dict[str, Any]) -> dict[str, Any]:
    """The one entry of a Cloud API webhook payload: what AWS publishes per SNS message."""
    first: dict[str, Any] = payload["entry"][0]
    return first


def post(fd: Running, message: dict[str, Any] | bytes) -> Any:
    return post_sns(fd.client, fd.url, message)


def sent(aws: Aws) -> list[dict[str, Any]]:
    return [s for s in aws.sends() if s["message_id"]]


def inbound(fd: Running) -> list[Any]:
    return fd.query("select channel_message_id from messages where direction = 'in'")


def replies(fd: Running) -> list[Any]:
    return fd.query(
        "select m.status, m.channel_message_id, m.error_code, m.error_message, o.status as outbox_status, "
        "o.attempts from messages m join outbox o on o.message_id = m.id where m.direction = 'out'"
    )


def test_one_message_and_one_reply_under_sns_and_meta_redelivery(
    database_url: str, graph_url: str, aws: Aws
) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        first = aws.notification(entry(text_message("wamid.AWS1", "hi")))
        answers = [post(fd, first).json() for _ in range(3)]  # SNS delivers the same MessageId again
        assert [(a["type"], a["stored"], a["duplicates"]) for a in answers] == [
            ("Notification", 1, 0),
            ("Notification", 0, 1),
            ("Notification", 0, 1),
        ]
        again = aws.notification(entry(text_message("wamid.AWS1", "hi")))  # Meta's redelivery, new SNS id
        assert again["MessageId"] != first["MessageId"]
        assert post(fd, again).json()["duplicates"] == 1
        [reply] = fd.wait_for(lambda: sent(aws), what="the reply at AWS")
        assert (reply["origination_phone_number_id"], reply["region"], reply["meta_api_version"]) == (
            AWS_NUMBER,
            REGION,
            "v21.0",
        )
        assert (reply["message"]["to"], reply["message"]["text"]["body"]) == (AMELIA, "echo: hi")
        fd.wait_for(lambda: [r for r in replies(fd) if r.status == "sent"], what="the reply stored as sent")
        time.sleep(0.3)  # a second reply would have had time to go
        assert len(aws.sends()) == 1
        assert len(inbound(fd)) == 1
        assert fd.sent() == []  # nothing went to the Cloud API
        [row] = replies(fd)
        assert row.channel_message_id == reply["message_id"]
        # The Cloud API's door does not reach an AWS number.
        assert fd.post_webhook(text_message("wamid.AWS2", "hi")).json()["unknown_channel"] == 1

        wamid = reply["message_id"]
        now = int(time.time())
        for state, ts in (("delivered", now + 1), ("read", now + 2), ("delivered", now + 1)):
            answer = post(fd, aws.notification(entry(status(wamid, state, ts=ts)))).json()
            assert answer["statuses"] == 1
        assert replies(fd)[0].status == "read"  # forward only


def test_replies_keep_each_conversations_order(database_url: str, graph_url: str, aws: Aws) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd, ThreadPoolExecutor(3) as pool:
        for n in range(1, 5):
            # SNS delivering one message three times at once: stored once, whichever commits first
            message = aws.notification(entry(text_message(f"wamid.ORD{n}", str(n))))
            answers = [a.json() for a in pool.map(lambda m: post(fd, m), [message] * 3)]
            assert sorted(a["stored"] for a in answers) == [0, 0, 1]
        fd.wait_for(lambda: len(sent(aws)) == 4, what="four replies at AWS")
        assert [s["message"]["text"]["body"] for s in sent(aws)] == [f"echo: {n}" for n in range(1, 5)]
        time.sleep(0.3)
        assert len(aws.sends()) == 4


def test_throttling_is_retried_and_a_refusal_fails_the_reply(
    database_url: str, graph_url: str, aws: Aws
) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        aws.fail(status=429, code="ThrottledRequestException", message="Rate exceeded", times=2)
        post(fd, aws.notification(entry(text_message("wamid.THR", "hi"))))
        fd.wait_for(lambda: [r for r in replies(fd) if r.status == "sent"], what="the throttled reply sent")
        assert [s["http_status"] for s in aws.sends()] == [429, 429, 200]
        assert (replies(fd)[0].attempts, replies(fd)[0].outbox_status) == (3, "sent")

        aws.fail(status=400, code="ValidationException", message="Invalid message", times=3)
        post(fd, aws.notification(entry(text_message("wamid.VAL", "again"))))
        fd.wait_for(lambda: [r for r in replies(fd) if r.status == "failed"], what="the refused reply failed")
        [failed] = [r for r in replies(fd) if r.status == "failed"]
        assert (failed.error_code, failed.outbox_status, failed.attempts) == (
            "ValidationException",
            "failed",
            1,
        )
        assert "Invalid message" in failed.error_message
        time.sleep(0.3)
        assert [s["http_status"] for s in aws.sends()] == [429, 429, 200, 400]


def test_what_is_not_proved_is_refused_and_nothing_stored(
    database_url: str, graph_url: str, aws: Aws
) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        good = aws.notification(entry(text_message("wamid.BAD1", "hi")))
        tampered = good | {"Message": good["Message"].replace("hi", "refund me")}
        unsigned = {k: v for k, v in good.items() if k != "Signature"}
        other_host = good | {"SigningCertURL": good["SigningCertURL"].replace("127.0.0.1", "localhost")}
        other_topic = aws.signer.sign(
            {k: v for k, v in good.items() if "Signature" not in k and k != "SigningCertURL"}
            | {"TopicArn": "arn:aws:sns:eu-west-1:123456789012:someone-else"}
        )
        fetches = len(aws.sns_log()["cert_fetches"])
        for refused in (tampered, unsigned, other_host, other_topic):
            response = post(fd, refused)
            assert response.status_code == 403, response.text
        assert len(aws.sns_log()["cert_fetches"]) - fetches <= 1  # only SNS's (allowed) URL, if not cached
        assert inbound(fd) == []

        not_json_entry = aws.signer.notification(json.dumps({"whatsAppWebhookEntry": "{oops"}))
        assert post(fd, not_json_entry).status_code == 400
        assert post(fd, b"this is not SNS").status_code == 400
        assert post(fd, b"x" * (2 * 1024 * 1024)).status_code == 413
        assert inbound(fd) == []

        assert (
            post(fd, aws.notification(entry(text_message("wamid.V1", "one")), version="1")).status_code == 200
        )
        assert (
            post(fd, aws.notification(entry(text_message("wamid.V2", "two")), version="2")).status_code == 200
        )
        assert sorted(r.channel_message_id for r in inbound(fd)) == ["wamid.V1", "wamid.V2"]

        metrics = fd.client.get(f"{fd.url}/metrics").text
        assert 'frontdesk_webhooks_total{result="bad_signature"} 4.0' in metrics
        assert 'frontdesk_webhooks_total{result="bad_request"} 2.0' in metrics


def test_a_subscription_is_confirmed_only_from_snss_url(database_url: str, graph_url: str, aws: Aws) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        before = len(aws.sns_log()["confirmations"])
        confirm = f"{aws.url}/_fake/sns/confirm?Action=ConfirmSubscription&Token=tok-1"
        response = post(fd, aws.signer.confirmation(subscribe_url=confirm))
        assert (response.status_code, response.json()["type"]) == (200, "SubscriptionConfirmation")
        elsewhere = confirm.replace("127.0.0.1", "localhost").replace("tok-1", "tok-2")
        assert post(fd, aws.signer.confirmation(subscribe_url=elsewhere)).status_code == 403
        unsubscribed = aws.signer.confirmation(
            subscribe_url=confirm.replace("tok-1", "tok-3"), unsubscribe=True
        )
        assert post(fd, unsubscribed).json()["type"] == "UnsubscribeConfirmation"
        assert [c["Token"] for c in aws.sns_log()["confirmations"][before:]] == ["tok-1"]


def test_the_connection_test_asks_aws_for_the_number(database_url: str, graph_url: str, aws: Aws) -> None:
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        [(channel_id,)] = fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)
        url, owner = f"{fd.url}/api/v1/channels/{channel_id}/test", fd.staff_headers("owner")
        answer = fd.client.post(url, headers=owner).json()
        assert (answer["ok"], answer["verified_name"], answer["quality_rating"]) == (
            True,
            "Lumen Home",
            "GREEN",
        )
        fd.execute("update channels set aws_phone_number_id = 'phone-number-id-unknown'")
        answer = fd.client.post(url, headers=owner).json()
        assert (answer["ok"], answer["error_code"]) == (False, "ResourceNotFoundException")
        assert fd.sent() == []  # the Cloud API was not asked


def send_image(fd: Running, aws: Aws, media_id: str) -> str:
    """The customer sends a caption-less photo to the AWS number; its wamid."""
    wamid = f"wamid.AWSIMG{uuid.uuid4().hex}"
    image = {"id": media_id, "mime_type": "image/jpeg", "sha256": "c2hh"}
    message = {
        "from": AMELIA,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "image",
        "image": image,
    }
    payload = envelope(DEMO_NUMBER, messages=[message], contacts=[(AMELIA, "Amelia")])
    assert post(fd, aws.notification(entry(payload))).json()["stored"] == 1
    return wamid


def media_outcome(fd: Running, wamid: str) -> Any:
    """The message once its media job recorded a file or an error."""

    def outcome() -> Any:
        rows = fd.query(
            "select id, conversation_id, content from messages where channel_message_id = :w", w=wamid
        )
        content = rows[0].content if rows else "{}"
        media = (json.loads(content) if isinstance(content, str) else content).get("media", {})
        return (rows[0], media) if ("file" in media or "error" in media) else None

    return fd.wait_for(outcome, what=f"the media outcome of {wamid}")


def test_received_media_comes_through_the_bucket_into_the_file_store(
    database_url: str, graph_url: str, aws: Aws, tmp_path: Path
) -> None:
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    media_id = uuid.uuid4().hex[:16]
    aws.client.put(
        f"{aws.url}/_fake/aws/media/{media_id}", content=photo, headers={"content-type": "image/jpeg"}
    ).raise_for_status()
    with aws_frontdesk(database_url, graph_url, aws, files_dir=str(tmp_path / "files")) as fd:
        row, media = media_outcome(fd, send_image(fd, aws, media_id))
        assert (media["file"]["size"], media["file"]["mime_type"]) == (len(photo), "image/jpeg")
        assert (tmp_path / "files" / media["file"]["key"]).read_bytes() == photo
        url = f"{fd.url}/api/v1/conversations/{row.conversation_id}/messages/{row.id}/media"
        assert fd.client.get(url, headers=fd.staff_headers("viewer")).content == photo
        objects = aws.client.get(f"{aws.url}/_fake/aws/objects").json()["objects"]
        assert not [o for o in objects if media_id in o]  # read back, then deleted from the bucket
        fd.wait_for(
            lambda: [s for s in sent(aws) if s["message"]["text"]["body"] == "echo: [image]"],
            what="the turn's reply, after the file",
        )


def test_without_a_media_bucket_the_file_is_not_fetched_and_the_turn_runs(
    database_url: str, graph_url: str, aws: Aws, tmp_path: Path
) -> None:
    with aws_frontdesk(
        database_url, graph_url, aws, files_dir=str(tmp_path / "files"), aws_media_bucket=None
    ) as fd:
        _, media = media_outcome(fd, send_image(fd, aws, "m-nobucket"))
        assert media["error"]["code"] == "no_media_bucket"
        fd.wait_for(lambda: sent(aws), what="the turn's reply")


def test_each_aws_number_answers_through_its_own_id_and_region(
    database_url: str, graph_url: str, aws: Aws
) -> None:
    second_arn = "arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/feedfacefeedface"
    with aws_frontdesk(database_url, graph_url, aws) as fd:
        body = {"kind": "aws_social", "phone_number_id": "100200300600", "aws_phone_number_id": second_arn}
        created = fd.client.post(
            f"{fd.url}/api/v1/channels",
            json=body | {"region": "us-east-1"},
            headers=fd.staff_headers("owner"),
        )
        assert created.status_code == 201, created.text
        message = aws_event(
            entry(text_message("wamid.SECOND", "to the second", number="100200300600")),
            meta_phone_number_id="100200300600",
            aws_phone_number_arn=second_arn,
        )
        assert post(fd, aws.signer.notification(message)).json()["stored"] == 1
        assert (
            post(fd, aws.notification(entry(text_message("wamid.FIRST", "to the first")))).json()["stored"]
            == 1
        )
        fd.wait_for(lambda: len(sent(aws)) == 2, what="both replies at AWS")
        by_text = {s["message"]["text"]["body"]: s for s in sent(aws)}
        first, second = by_text["echo: to the first"], by_text["echo: to the second"]
        assert (first["origination_phone_number_id"], first["region"]) == (AWS_NUMBER, REGION)
        assert (second["origination_phone_number_id"], second["region"]) == (second_arn, "us-east-1")
