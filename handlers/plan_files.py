"""Files for `/plan`: downloading an uploaded plan from Slack, uploading an export.

A file's `url_private` needs the bot token in an Authorization header. Without it Slack
answers with a redirect to its sign-in page, so the answer is checked — a 200 that is not an
HTML page — before anything reads it as a spreadsheet. Redirects are never followed: the
token must not travel to another address.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import (
    HTTPRedirectHandler,
    HTTPSHandler,
    OpenerDirector,
    ProxyHandler,
    Request,
    build_opener,
)

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
SLACK_FILE_HOSTS = ("slack.com", "slack-gov.com")
_POSTABLE_ELSEWHERE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


def _opener(client: WebClient) -> OpenerDirector:
    proxy = client.proxy
    handlers: list[Any] = [
        ProxyHandler({"http": proxy, "https": proxy} if proxy else {}),
        _NoRedirects(),
    ]
    if isinstance(client.ssl, ssl.SSLContext):
        handlers.append(HTTPSHandler(context=client.ssl))
    return build_opener(*handlers)


def _trusted(url: str, api_url: str) -> bool:
    """Slack's own hosts, or wherever the Web API is served from (the local emulator)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return False
    api = urlsplit(api_url)
    if host == (api.hostname or "").lower() and parts.port == api.port:
        return True
    return parts.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in SLACK_FILE_HOSTS
    )


def download_private_file(client: WebClient, file: Mapping[str, Any]) -> bytes:
    """The bytes of a file someone uploaded to Slack; UserError when they can't be had."""
    name = str(file.get("name") or "the file")
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url or not _trusted(url, client.base_url):
        raise UserError(f"Slack didn't give me a link I can fetch “{name}” from. Upload it again.")
    if not client.token:
        raise UserError("I have no Slack token to fetch files with. Ask whoever runs the bot.")
    # Slack sends these URLs encoded; a space or other raw character is encoded here too.
    parts = urlsplit(url)
    url = parts._replace(path=quote(parts.path, safe="/%:@!$&'()*+,;=")).geturl()
    request = Request(url, headers={"Authorization": f"Bearer {client.token}"})
    try:
        with _opener(client).open(request, timeout=DOWNLOAD_TIMEOUT) as response:
            status = int(response.status)
            content_type = response.headers.get_content_type()
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except HTTPError as error:
        status, content_type, data = error.code, "", b""
        error.close()
    except (URLError, TimeoutError, ConnectionError) as error:
        log.warning("downloading %s failed: %s", name, error)
        raise UserError(f"I couldn't reach Slack to fetch “{name}”. Try again shortly.") from None
    if status != 200:
        log.warning("downloading %s: HTTP %s", name, status)
        raise UserError(f"Slack wouldn't give me “{name}” (HTTP {status}). Upload it again.")
    if content_type in ("text/html", "application/xhtml+xml"):
        raise UserError(
            f"Slack sent a sign-in page instead of “{name}”, so I can't read it. "
            "Check the bot has the files:read scope, then upload it again."
        )
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise UserError(
            f"“{name}” is over {MAX_DOWNLOAD_BYTES // (1024 * 1024)} MB. "
            "Remove other sheets or pictures and upload it again."
        )
    return data


def direct_message_channel(client: WebClient, user_id: str) -> str:
    return str(client.conversations_open(users=user_id)["channel"]["id"])


def is_direct_message(channel_id: str, channel_name: str | None) -> bool:
    return channel_id.startswith("D") or channel_name in ("directmessage", "mpdm")


def upload_file(
    client: WebClient,
    *,
    content: bytes,
    filename: str,
    title: str,
    comment: str,
    channel_id: str,
    channel_name: str | None,
    user_id: str,
) -> str:
    """Upload where the command was typed (a DM goes to the person's DM with the bot); when
    the bot can't post in that channel, to the DM instead. Returns where, in words."""
    in_dm = is_direct_message(channel_id, channel_name)
    target = direct_message_channel(client, user_id) if in_dm else channel_id
    try:
        _upload(client, target, content, filename, title, comment)
        return "here"
    except SlackApiError as error:
        if in_dm or error.response.get("error") not in _POSTABLE_ELSEWHERE:
            raise
    dm = direct_message_channel(client, user_id)
    _upload(client, dm, content, filename, title, comment)
    return f"to our DM, as I'm not in <#{channel_id}> (invite me there to share it)"


def _upload(
    client: WebClient, channel: str, content: bytes, filename: str, title: str, comment: str
) -> None:
    client.files_upload_v2(
        channel=channel,
        file=content,
        filename=filename,
        title=title,
        initial_comment=comment,
    )
