"""A fake AWS for the `aws_social` kind: End User Messaging Social, the bit of S3 it writes media to, and
SNS's certificate and subscription URLs; plus `SnsSigner`, which signs SNS messages as SNS does.

A real HTTP server that boto3 is pointed at with its own settings (`AWS_ENDPOINT_URL_SOCIALMESSAGING=<url>`,
`AWS_ENDPOINT_URL_S3=<url>/_s3`, any credentials), speaking the documented REST-JSON wire protocol:

- `POST /v1/whatsapp/send` (SendWhatsAppMessage): `message` is the base64 of the Cloud API message JSON;
  answers `{"messageId": "wamid.…"}`. Recorded with the decoded message, the origination id, Meta's API
  version and the region of the request's SigV4 credential scope.
- `GET /v1/whatsapp/waba/phone/details?id=` (GetLinkedWhatsAppBusinessAccountPhoneNumber): the number
  registered with `PUT /_fake/aws/numbers/{id}`; an unknown one is ResourceNotFoundException (404).
- `POST /v1/whatsapp/media/get` (GetWhatsAppMessageMedia): copies a file registered with
  `PUT /_fake/aws/media/{media_id}` (its body and Content-Type) to `destinationS3File`, in this fake's
  S3 (`GET|PUT|DELETE /_s3/{bucket}/{key}`, path-style); an unknown media id is ResourceNotFoundException.
- Errors as AWS sends them: the status, `x-amzn-ErrorType: <code>` and `{"message": …}`. Queue them with
  `POST /_fake/aws/fail` `{"status": 429, "code": "ThrottledRequestException", "times": 2}` (sends only).

Controls: `GET|DELETE /_fake/aws/sends` (every send, failed ones too), `DELETE /_fake/aws/fail`,
`GET /_fake/aws/objects` (what is in S3). SNS: `PUT /_fake/sns/certs/{name}.pem` serves a signer's
certificate at `GET /_fake/sns/certs/{name}.pem`; `GET /_fake/sns/confirm` is a SubscribeURL; both are
recorded (`GET /_fake/sns/log`: `cert_fetches`, `confirmations`).

Dev only (`frontdesk.devtools`): tests, and a developer trying the AWS kind without an AWS account.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import itertools
import json
import re
import threading
import uuid
from collections import deque
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from frontdesk.adapters.channels.aws_social.sns import (
    NOTIFICATION,
    SUBSCRIPTION_CONFIRMATION,
    UNSUBSCRIBE_CONFIRMATION,
    string_to_sign,
)

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/")
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


class AwsFailure(BaseModel):
    """How the next `times` sends fail: HTTP `status` and AWS's error `code`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: int = Field(default=500, ge=400, le=599)
    code: str = "InternalServiceException"
    message: str = "Internal service error"
    times: int = Field(default=1, ge=1, le=10_000)


class FakeAwsState:
    """Everything the fake holds; one lock, never held across an await."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sends: list[dict[str, Any]] = []
        self.failures: deque[AwsFailure] = deque()
        self.numbers: dict[str, dict[str, Any]] = {}
        self.media: dict[str, tuple[bytes, str]] = {}
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.certs: dict[str, bytes] = {}
        self.cert_fetches: list[str] = []
        self.confirmations: list[dict[str, str]] = []
        self.serial = itertools.count(1)


def fake_aws_state(app: FastAPI) -> FakeAwsState:
    state: FakeAwsState = app.state.fake_aws
    return state


def _state(request: Request) -> FakeAwsState:
    return fake_aws_state(request.app)


def aws_error(status: int, code: str, message: str) -> JSONResponse:
    """An error answer as AWS's REST-JSON services send it (botocore reads the code from the header)."""
    return JSONResponse({"message": message}, status_code=status, headers={"x-amzn-ErrorType": code})


def _region(request: Request) -> str | None:
    match = _SCOPE.search(request.headers.get("authorization", ""))
    return match.group(1) if match else None


router = APIRouter()


@router.post("/v1/whatsapp/send")
async def send_whatsapp_message(request: Request) -> Response:
    """SendWhatsAppMessage, unless a failure is queued."""
    body = await request.json()
    try:
        message = json.loads(base64.b64decode(body["message"], validate=True))
    except (KeyError, TypeError, ValueError, binascii.Error):
        return aws_error(400, "ValidationException", "message must be base64 of a WhatsApp message object")
    state = _state(request)
    with state.lock:
        failure = state.failures.popleft() if state.failures else None
        message_id = None if failure else f"wamid.FAKEAWS{next(state.serial):06d}{uuid.uuid4().hex[:8]}"
        state.sends.append(
            {
                "origination_phone_number_id": body.get("originationPhoneNumberId"),
                "meta_api_version": body.get("metaApiVersion"),
                "region": _region(request),
                "message": message,
                "message_id": message_id,
                "error_code": failure.code if failure else None,
                "http_status": failure.status if failure else 200,
            }
        )
    if failure is not None:
        return aws_error(failure.status, failure.code, failure.message)
    return JSONResponse({"messageId": message_id})


@router.get("/v1/whatsapp/waba/phone/details")
async def phone_details(request: Request, id: str = "") -> Response:
    """GetLinkedWhatsAppBusinessAccountPhoneNumber."""
    state = _state(request)
    with state.lock:
        number = state.numbers.get(id)
    if number is None:
        return aws_error(404, "ResourceNotFoundException", f"phone number {id} not found")
    return JSONResponse({"phoneNumber": number, "linkedWhatsAppBusinessAccountId": "waba-fake"})


@router.post("/v1/whatsapp/media/get")
async def get_media(request: Request) -> Response:
    """GetWhatsAppMessageMedia into `destinationS3File` (this fake's S3)."""
    body = await request.json()
    target = body.get("destinationS3File") or {}
    state = _state(request)
    with state.lock:
        media = state.media.get(str(body.get("mediaId")))
        if media is not None and target.get("bucketName") and target.get("key"):
            state.objects[(target["bucketName"], target["key"])] = media
    if media is None:
        return aws_error(404, "ResourceNotFoundException", "media not found")
    if not (target.get("bucketName") and target.get("key")):
        return aws_error(400, "ValidationException", "a destination is required")
    return JSONResponse({"mimeType": media[1], "fileSize": len(media[0])})


@router.api_route("/_s3/{bucket}/{key:path}", methods=["GET", "PUT", "DELETE"])
async def s3_object(bucket: str, key: str, request: Request) -> Response:
    """S3's GetObject, PutObject and DeleteObject, path-style, for the one bucket's objects."""
    state = _state(request)
    if request.method == "PUT":
        data = await request.body()
        with state.lock:
            state.objects[(bucket, key)] = (data, request.headers.get("content-type", "binary/octet-stream"))
        return Response(status_code=200)
    with state.lock:
        if request.method == "DELETE":
            state.objects.pop((bucket, key), None)
            return Response(status_code=204)
        found = state.objects.get((bucket, key))
    if found is None:
        error = "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"
        return Response(error, status_code=404, media_type="application/xml")
    return Response(found[0], media_type=found[1])


# --- controls ------------------------------------------------------------------------------------------


@router.get("/_fake/aws/sends")
async def list_sends(request: Request) -> dict[str, Any]:
    state = _state(request)
    with state.lock:
        return {"sends": list(state.sends)}


@router.delete("/_fake/aws/sends")
async def clear_sends(request: Request) -> dict[str, int]:
    state = _state(request)
    with state.lock:
        count, state.sends = len(state.sends), []
    return {"cleared": count}


@router.post("/_fake/aws/fail")
async def queue_failure(failure: AwsFailure, request: Request) -> dict[str, int]:
    state = _state(request)
    with state.lock:
        state.failures.extend([failure] * failure.times)
        return {"pending": len(state.failures)}


@router.delete("/_fake/aws/fail")
async def clear_failures(request: Request) -> dict[str, int]:
    state = _state(request)
    with state.lock:
        count = len(state.failures)
        state.failures.clear()
    return {"cleared": count}


@router.put("/_fake/aws/numbers/{aws_id}")
async def put_number(aws_id: str, request: Request) -> dict[str, str]:
    details = await request.json()
    state = _state(request)
    with state.lock:
        state.numbers[aws_id] = {"phoneNumberId": aws_id} | details
    return {"id": aws_id}


@router.put("/_fake/aws/media/{media_id}")
async def put_media(media_id: str, request: Request) -> dict[str, str]:
    data = await request.body()
    state = _state(request)
    with state.lock:
        state.media[media_id] = (data, request.headers.get("content-type", "application/octet-stream"))
    return {"id": media_id}


@router.get("/_fake/aws/objects")
async def list_objects(request: Request) -> dict[str, list[str]]:
    state = _state(request)
    with state.lock:
        return {"objects": [f"{bucket}/{key}" for bucket, key in state.objects]}


@router.put("/_fake/sns/certs/{name}")
async def put_certificate(name: str, request: Request) -> dict[str, str]:
    pem = await request.body()
    state = _state(request)
    with state.lock:
        state.certs[name] = pem
    return {"name": name}


@router.get("/_fake/sns/certs/{name}")
async def get_certificate(name: str, request: Request) -> Response:
    state = _state(request)
    with state.lock:
        state.cert_fetches.append(name)
        pem = state.certs.get(name)
    if pem is None:
        return Response("no such certificate", status_code=404)
    return Response(pem, media_type="application/x-pem-file")


@router.get("/_fake/sns/confirm")
async def confirm_subscription(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        state.confirmations.append(dict(request.query_params))
    return Response("<ConfirmSubscriptionResponse/>", media_type="text/xml")


@router.get("/_fake/sns/log")
async def sns_log(request: Request) -> dict[str, Any]:
    state = _state(request)
    with state.lock:
        return {"cert_fetches": list(state.cert_fetches), "confirmations": list(state.confirmations)}


def create_fake_aws() -> FastAPI:
    """A fresh fake AWS with empty state (see the module docstring)."""
    app = FastAPI(title="Fake AWS End User Messaging Social", docs_url=None, redoc_url=None)
    app.state.fake_aws = FakeAwsState()
    app.include_router(router)
    return app


def run_fake_aws(host: str = "127.0.0.1", port: int = 8767) -> None:
    """Serve a fake AWS until interrupted (`frontdesk dev fake-aws`)."""
    uvicorn.run(create_fake_aws(), host=host, port=port)


# --- SNS messages, signed ------------------------------------------------------------------------------


class SnsSigner:
    """Signs SNS messages as SNS does, with a key and self-signed certificate made here.

    `cert_url` is where the verifier will fetch `cert_pem` from (put it on the fake with
    `PUT /_fake/sns/certs/{name}`); `topic_arn` is the topic the messages claim.
    """

    def __init__(self, *, cert_url: str, topic_arn: str) -> None:
        self.cert_url = cert_url
        self.topic_arn = topic_arn
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.fake.amazonaws.com")])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self._key, hashes.SHA256())
        )
        self.cert_pem = certificate.public_bytes(serialization.Encoding.PEM)

    def notification(
        self, message: str, *, message_id: str | None = None, version: str = "2", subject: str | None = None
    ) -> dict[str, Any]:
        """A signed Notification carrying `message`."""
        fields = self._base(NOTIFICATION, message, message_id)
        if subject is not None:
            fields["Subject"] = subject
        fields["UnsubscribeURL"] = f"{self.cert_url.rsplit('/', 1)[0]}/unsubscribe"
        return self.sign(fields, version=version)

    def confirmation(
        self, *, subscribe_url: str, unsubscribe: bool = False, version: str = "2"
    ) -> dict[str, Any]:
        """A signed SubscriptionConfirmation (or UnsubscribeConfirmation) pointing at `subscribe_url`."""
        kind = UNSUBSCRIBE_CONFIRMATION if unsubscribe else SUBSCRIPTION_CONFIRMATION
        fields = self._base(kind, f"You have chosen to subscribe to the topic {self.topic_arn}.", None)
        fields |= {"SubscribeURL": subscribe_url, "Token": uuid.uuid4().hex}
        return self.sign(fields, version=version)

    def sign(self, fields: dict[str, Any], *, version: str = "2") -> dict[str, Any]:
        """`fields` with SignatureVersion, SigningCertURL and the Signature over SNS's canonical string."""
        signature = self._key.sign(string_to_sign(fields), padding.PKCS1v15(), _HASHES[version]())
        return fields | {
            "SignatureVersion": version,
            "SigningCertURL": self.cert_url,
            "Signature": base64.b64encode(signature).decode(),
        }

    def _base(self, kind: str, message: str, message_id: str | None) -> dict[str, Any]:
        return {
            "Type": kind,
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": self.topic_arn,
            "Message": message,
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        }


def aws_event(entry: dict[str, Any], *, meta_phone_number_id: str, aws_phone_number_arn: str) -> str:
    """The `Message` AWS End User Messaging publishes for one Meta webhook `entry` (a JSON string in it)."""
    return json.dumps(
        {
            "context": {
                "MetaWabaIds": [{"wabaId": entry.get("id"), "arn": "arn:aws:social-messaging:::waba/fake"}],
                "MetaPhoneNumberIds": [
                    {"metaPhoneNumberId": meta_phone_number_id, "arn": aws_phone_number_arn}
                ],
            },
            "whatsAppWebhookEntry": json.dumps(entry),
            "aws_account_id": "123456789012",
            "message_timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "messageId": str(uuid.uuid4()),
        }
    )
