"""Drives the Python client generated from openapi/codearts-repo.json against the emulator.

Run by `cargo xtask spec-clients`, which generates the `codearts_repo_client` package with
openapi-python-client, starts the emulator and passes what it printed in the environment:

  CODEARTS_REPO_ENDPOINT        base URL, e.g. http://127.0.0.1:40123
  CODEARTS_REPO_TOKEN           a token that can read every repository
  CODEARTS_REPO_REPOSITORY_IDS  the seeded repository ids, space separated
  CODEARTS_REPO_USER_ID         id of the token's user
  CODEARTS_REPO_PROJECT_ID      the seeded project id

Every call goes through the generated client; the same request is also sent as plain HTTP
and the decoded value must equal the served JSON (timestamps compared as instants), with no
field left over that the spec does not declare.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from codearts_repo_client import AuthenticatedClient
from codearts_repo_client.api.commit import list_commits
from codearts_repo_client.api.repository import (
    list_personal_recent_push_events,
    list_repository_events,
    show_last_push_event_in_repository,
)
from codearts_repo_client.models import (
    CommitListDto,
    ErrorBody,
    LastPushEventDto,
    PersonalPushEventDto,
    PushEventActionName,
    RepositoryPushEventDto,
)

# Fields the spec types as `Timestamp` (RFC 3339): compared as instants, since the
# generated client re-encodes them in its own notation.
TIMESTAMP_FIELDS = {"created_at", "updated_at", "authored_date", "committed_date"}
TIMEOUT_SECONDS = 60.0

checks = 0


def check(condition: bool, what: str) -> None:
    """Counts one check; stops the script with a message naming it when it fails."""
    global checks
    if not condition:
        raise SystemExit(f"python client: FAILED: {what}")
    checks += 1


def environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"python client: environment variable {name} is not set")
    return value


ENDPOINT = environment("CODEARTS_REPO_ENDPOINT").rstrip("/")
TOKEN = environment("CODEARTS_REPO_TOKEN")
REPOSITORY_IDS = [int(part) for part in environment("CODEARTS_REPO_REPOSITORY_IDS").split()]
USER_ID = int(environment("CODEARTS_REPO_USER_ID"))
PROJECT_ID = environment("CODEARTS_REPO_PROJECT_ID")


def raw(path: str, params: dict[str, Any], token: str = TOKEN) -> tuple[int, dict[str, str], Any]:
    """The same request as plain HTTP: status, lower-cased headers, decoded JSON body."""
    query = urllib.parse.urlencode({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()})
    request = urllib.request.Request(f"{ENDPOINT}{path}?{query}", headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, {k.lower(): v for k, v in headers.items()}, json.loads(body)


def instant(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def normalized(value: Any) -> Any:
    """JSON with timestamps turned into instants, so that notations compare equal."""
    if isinstance(value, dict):
        return {
            k: instant(v) if k in TIMESTAMP_FIELDS and isinstance(v, str) else normalized(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalized(item) for item in value]
    return value


def undeclared_fields(model: Any, where: str) -> list[str]:
    """Fields the generated models kept aside because the spec does not declare them."""
    found = []
    extra = getattr(model, "additional_properties", None)
    if extra:
        found += [f"{where}.{name}" for name in extra]
    if hasattr(model, "__attrs_attrs__"):
        for attribute in model.__attrs_attrs__:
            if attribute.name != "additional_properties":
                found += undeclared_fields(getattr(model, attribute.name), f"{where}.{attribute.name}")
    elif isinstance(model, list):
        for index, item in enumerate(model):
            found += undeclared_fields(item, f"{where}[{index}]")
    return found


def same_as_served(decoded: Any, served: Any, what: str) -> None:
    """The decoded value re-encodes to exactly what the emulator served."""
    if isinstance(decoded, list):
        encoded = [item.to_dict() for item in decoded]
    else:
        encoded = decoded.to_dict()
    check(normalized(encoded) == normalized(served), f"{what}: decoded value differs from the served JSON")
    extra = undeclared_fields(decoded, what)
    check(not extra, f"{what}: served fields the spec does not declare: {extra}")


def main() -> None:
    client = AuthenticatedClient(
        base_url=ENDPOINT,
        token=TOKEN,
        prefix="",
        auth_header_name="X-Auth-Token",
        timeout=TIMEOUT_SECONDS,
        raise_on_unexpected_status=True,
    )
    check(len(REPOSITORY_IDS) > 0, "the emulator printed no repository id")
    repository_id = REPOSITORY_IDS[0]
    events_path = f"/v4/repositories/{repository_id}/events"

    # Events, paged with offset/limit until X-Total is reached.
    limit = 40
    offset = 0
    events: list[RepositoryPushEventDto] = []
    total = None
    while total is None or offset < total:
        response = list_repository_events.sync_detailed(repository_id, client=client, offset=offset, limit=limit)
        check(response.status_code == 200, f"events page at offset {offset}: status {response.status_code}")
        page = response.parsed
        check(isinstance(page, list), f"events page at offset {offset} decoded as {type(page).__name__}")
        page_total = int(response.headers["X-Total"])
        check(total is None or page_total == total, "X-Total changed between pages")
        total = page_total
        status, headers, served = raw(events_path, {"offset": offset, "limit": limit})
        check(status == 200 and int(headers["x-total"]) == total, "raw events page disagrees on X-Total")
        same_as_served(page, served, f"events page at offset {offset}")
        check(len(page) == min(limit, total - offset), f"events page at offset {offset} holds {len(page)} events")
        events += page
        offset += limit
    check(total > limit, f"X-Total {total} leaves nothing to page through")
    check(len(events) == total, f"walked {len(events)} events, X-Total says {total}")
    for event in events:
        check(event.repository_id == repository_id, f"event of repository {event.repository_id} listed")
        check(event.author_id == event.author.id, "event author_id differs from author.id")
        check(isinstance(event.action_name, PushEventActionName), "action_name is not decoded as the enum")
        check(isinstance(event.created_at, datetime.datetime), "created_at is not decoded as a datetime")
    instants = [event.created_at for event in events]
    check(instants == sorted(instants, reverse=True), "events are not newest first")

    # The last push is the newest push event.
    response = show_last_push_event_in_repository.sync_detailed(repository_id, client=client)
    last = response.parsed
    check(response.status_code == 200 and isinstance(last, LastPushEventDto), "last push event not decoded")
    status, _, served = raw(f"/v4/repositories/{repository_id}/last-push-event", {})
    same_as_served(last, served, "last push event")
    check(last.repository.id == repository_id, f"last push event names repository {last.repository.id}")
    newest = [event for event in events if event.created_at == events[0].created_at]
    check(last.created_at == newest[0].created_at, "last push is not the newest push event")
    check(last.ref in {event.push_data.ref for event in newest}, f"last push ref {last.ref} is not the newest push's")

    # Commits, with filters taken from an unfiltered page.
    commits_path = f"/v4/repositories/{repository_id}/repository/commit-list"
    page = list_commits.sync(repository_id, client=client, limit=100)
    check(isinstance(page, CommitListDto) and len(page.commits) > 2, "unfiltered commit page not decoded")
    _, _, served = raw(commits_path, {"limit": 100})
    same_as_served(page, served, "unfiltered commit page")
    author = page.commits[1].author_name
    until = page.commits[0].committed_date
    since = page.commits[-1].committed_date
    filters = {
        "ref_name": last.ref,
        "author": author.upper(),
        "since": since.isoformat(),
        "until": until.isoformat(),
        "order_by_date": True,
        "limit": 50,
    }
    response = list_commits.sync_detailed(repository_id, client=client, **filters)
    filtered = response.parsed
    check(response.status_code == 200 and isinstance(filtered, CommitListDto), "filtered commit page not decoded")
    _, _, served = raw(commits_path, filters)
    same_as_served(filtered, served, "filtered commit page")
    check(len(filtered.commits) > 0, f"no commit of {author!r} between {since} and {until}")
    for commit in filtered.commits:
        check(author.lower() in commit.author_name.lower(), f"commit {commit.id} by {commit.author_name!r} listed")
        check(since < commit.committed_date < until, f"commit {commit.id} outside the date filter")
    dates = [commit.committed_date for commit in filtered.commits]
    check(dates == sorted(dates, reverse=True), "order_by_date did not sort newest first")
    check(sum(day.commits_count for day in filtered.date_title) == len(filtered.commits), "date_title counts differ")

    # Recent pushes of the token's user.
    response = list_personal_recent_push_events.sync_detailed(client=client, size=5, project_id=PROJECT_ID)
    pushes = response.parsed
    check(response.status_code == 200 and isinstance(pushes, list), "recent pushes not decoded")
    _, _, served = raw("/v4/user/recent-push-events", {"size": 5, "project_id": PROJECT_ID})
    same_as_served(pushes, served, "recent pushes")
    check(0 < len(pushes) <= 5, f"{len(pushes)} recent pushes for size 5")
    for push in pushes:
        check(isinstance(push, PersonalPushEventDto), "recent push not decoded")
        check(push.author.id == USER_ID, f"recent push by user {push.author.id}")
        check(push.repository.id in REPOSITORY_IDS, f"recent push to unknown repository {push.repository.id}")
        check(push.repository.project_id == PROJECT_ID, "recent push outside the requested project")

    # Errors decode to the one error body.
    stranger = AuthenticatedClient(
        base_url=ENDPOINT, token="not-a-token", prefix="", auth_header_name="X-Auth-Token", timeout=TIMEOUT_SECONDS
    )
    response = show_last_push_event_in_repository.sync_detailed(repository_id, client=stranger)
    check(response.status_code == 401 and isinstance(response.parsed, ErrorBody), "bad token is not a decoded 401")
    check(response.parsed.error_code == "CH.00000001", f"401 error code {response.parsed.error_code}")
    response = list_repository_events.sync_detailed(repository_id, client=client, limit=101)
    check(response.status_code == 400 and isinstance(response.parsed, ErrorBody), "limit=101 is not a decoded 400")
    check("limit" in response.parsed.error_msg, f"400 message does not name limit: {response.parsed.error_msg}")

    print(f"python client: all {checks} checks passed")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as error:  # a decoding error of the generated client, shown plainly
        print(f"python client: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        raise
