"""Files for `/plan`: downloading an uploaded plan from Slack, uploading an export.

A file's `url_private` needs the bot token in an Authorization header. Slack often answers it
with a redirect to another of its hosts or to its file CDN; at most three redirects are
followed, over https only, and only to Slack's own hosts and CDN. The token goes only to
Slack's own hosts (slack.com and its subdomains), never to the CDN, whose links are signed.
Without the token Slack sends a sign-in page, so the answer is checked — a 200 that is not
an HTML page — before anything reads it as a spreadsheet.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit
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
MAX_REDIRECTS = 3
# Slack's own hosts: these may see the bot token.
SLACK_FILE_HOSTS = ("slack.com", "slack-gov.com")
# Slack's file CDN: a download may be sent there, without the token.
SLACK_CDN_HOSTS = ("slack-files.com", "slack-edge.com")
TOKEN, CDN = "token", "cdn"
_POSTABLE_ELSEWHERE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status; we decide where to go


def _opener(client: WebClient) -> OpenerDirector:
    proxy = client.proxy
    handlers: list[Any] = [
        ProxyHandler({"http": proxy, "https": proxy} if proxy else {}),
        _NoRedirects(),
    ]
    if isinstance(client.ssl, ssl.SSLContext):
        handlers.append(HTTPSHandler(context=client.ssl))
    return build_opener(*handlers)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _within(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def host_kind(url: str, api_url: str, cdn_origins: tuple[str, ...] = ()) -> str | None:
    """TOKEN for Slack's own hosts (and wherever the Web API is served from, such as the
    local emulator), CDN for Slack's file CDN (and `cdn_origins`, the emulator's stand-in
    for it), None for anywhere else, and for anything not https off those two."""
    origin = _origin(url)
    if not origin[1] or origin[0] not in ("https", "http"):
        return None
    if origin == _origin(api_url):
        return TOKEN
    if origin in {_origin(cdn) for cdn in cdn_origins}:
        return CDN
    if origin[0] != "https":
        return None
    if _within(origin[1], SLACK_FILE_HOSTS):
        return TOKEN
    if _within(origin[1], SLACK_CDN_HOSTS):
        return CDN
    return None


def download_private_file(
    client: WebClient, file: Mapping[str, Any], *, cdn_origins: tuple[str, ...] = ()
) -> bytes:
    """The bytes of a file someone uploaded to Slack; UserError when they can't be had."""
    name = str(file.get("name") or "the file")
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    kind = host_kind(url, client.base_url, cdn_origins) if url else None
    if kind is None:
        raise UserError(f"Slack didn't give me a link I can fetch “{name}” from. Upload it again.")
    if not client.token:
        raise UserError("I have no Slack token to fetch files with. Ask whoever runs the bot.")
    opener = _opener(client)
    for hop in range(MAX_REDIRECTS + 1):
        status, content_type, data, location = _get(opener, url, client.token, kind, name)
        if status not in (301, 302, 303, 307, 308):
            break
        next_url = urljoin(url, location) if location else ""
        kind = host_kind(next_url, client.base_url, cdn_origins) if next_url else None
        if kind is None or hop == MAX_REDIRECTS:
            log.warning("downloading %s: not following redirect %s to %r", name, hop + 1, next_url)
            raise UserError(
                f"Slack sent me somewhere I won't fetch “{name}” from. Upload it again."
            )
        url = next_url
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


def _get(
    opener: OpenerDirector, url: str, token: str, kind: str, name: str
) -> tuple[int, str, bytes, str | None]:
    """One GET: status, content type, body and Location; the token only to Slack's hosts."""
    # Slack sends these URLs encoded; a space or other raw character is encoded here too.
    parts = urlsplit(url)
    url = parts._replace(path=quote(parts.path, safe="/%:@!$&'()*+,;=")).geturl()
    headers = {"Authorization": f"Bearer {token}"} if kind == TOKEN else {}
    try:
        with opener.open(Request(url, headers=headers), timeout=DOWNLOAD_TIMEOUT) as response:
            return (
                int(response.status),
                response.headers.get_content_type(),
                response.read(MAX_DOWNLOAD_BYTES + 1),
                None,
            )
    except HTTPError as error:
        location = error.headers.get("Location") if error.headers else None
        error.close()
        return error.code, "", b"", location
    except (URLError, TimeoutError, ConnectionError) as error:
        log.warning("downloading %s failed: %s", name, error)
        raise UserError(f"I couldn't reach Slack to fetch “{name}”. Try again shortly.") from None


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
