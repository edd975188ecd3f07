"""The two exception families: developer mistakes versus run-time failures.

`ConfigurationError` and its children mean someone set Frontdesk up wrongly; they should stop a process
at start-up. `FrontdeskError` and its children are failures that happen while serving and are mapped
to answers (HTTP statuses, failed message states, retries) in one place each.
"""

from __future__ import annotations


class ConfigurationError(Exception):
    """A setting, team file or other configuration is invalid. Fix the configuration and restart."""


class FrontdeskError(Exception):
    """Base class for run-time and domain failures."""


class NotFoundError(FrontdeskError):
    """The thing asked for does not exist (or belongs to another tenant, which looks the same)."""


class ConflictError(FrontdeskError):
    """The request conflicts with the current state."""


class InvalidInputError(FrontdeskError):
    """Input from outside (a webhook, an upload, an API call) is malformed."""


class SignatureError(FrontdeskError):
    """A webhook's signature is missing or does not match: the request is not from who it claims."""


class UntrustedSenderError(FrontdeskError):
    """A delivery whose sender could not be proved and will not be (an SNS message with a bad signature,
    a certificate from another host, a topic not allowed): refused for good (403), nothing stored."""


class UpstreamUnavailableError(FrontdeskError):
    """A service this request needs did not answer (SNS's signing certificate could not be fetched):
    refused for now (503), so the sender retries."""


class ChannelError(FrontdeskError):
    """A channel (e.g. the WhatsApp Graph API) refused or failed to deliver a message.

    `transient` says whether retrying later can succeed; retry logic reads it, never the text.
    `maybe_delivered` says the request may have reached the channel and no answer came back (anything but
    a failure to connect or to write the request): the message may have been delivered, and the channel's
    `uncertain_sends` policy decides what happens.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        transient: bool,
        details: str | None = None,
        maybe_delivered: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.transient = transient
        self.details = details
        self.maybe_delivered = maybe_delivered

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


UNSUPPORTED = "unsupported"
"""`ChannelError.code`: the number's kind cannot send this message (a template where the kind has
none, a message type the bridge has no route for). Permanent: a retry cannot make it sendable."""
MEDIA_TOO_LARGE = "media_too_large"
"""`ChannelError.code` (and a received file's recorded error code): the file is over
`FRONTDESK_MEDIA_MAX_BYTES`. Permanent: the same file will not get smaller on a retry."""


class WindowClosedError(ChannelError):
    """A free-form message was refused because the 24-hour customer-service window is closed."""

    CODE = "window_closed"

    def __init__(self) -> None:
        super().__init__(
            "outside the 24-hour customer-service window: only template messages may be sent",
            code=self.CODE,
            transient=False,
        )
