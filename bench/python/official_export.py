"""Exports every commit or event of one repository with the official Huawei Cloud Python SDK.

Pages sequentially with the SDK's own client and AK/SK signing, the way its users do (the
SDK offers no pagination helper), and prints one `result key=value ...` line with what it
measured of itself, in the same shape as the Rust exporters (bench/export). CPU time is
counted from the start of the export (interpreter start and imports excluded); the digest
(commits: UTF-8 bytes of every title; events: sum of author ids) lets the harness check
that every exporter saw the same data. Run by `cargo xtask bench`; not part of the test
suite.
"""

import argparse
import resource
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcodeartsrepo.v4 import (
    CodeArtsRepoClient,
    ListCommitsRequest,
    ListRepositoryEventsRequest,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--ak", required=True)
    parser.add_argument("--sk", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--repository-id", type=int, required=True)
    parser.add_argument("--what", choices=["commits", "events"], required=True)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--max-items", type=int, default=None)
    parser.add_argument(
        "--retry-times",
        type=int,
        default=0,
        help="HttpConfig.retry_times: the SDK retries a 429 this often, waiting out Retry-After",
    )
    args = parser.parse_args()

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    # The official SDK's own answer to throttling: urllib3 retries of 429 (and only 429),
    # honouring Retry-After.
    config.retry_times = args.retry_times
    client = (
        CodeArtsRepoClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(args.ak, args.sk, args.project_id))
        .with_endpoints([args.endpoint])
        .build()
    )

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF)
    items = 0
    digest = 0
    pages = 0
    offset = 0
    while True:
        if args.what == "commits":
            response = client.list_commits(
                ListCommitsRequest(repository_id=args.repository_id, offset=offset, limit=args.limit)
            )
            page = response.commits or []
            digest += sum(len((c.title or "").encode("utf-8")) for c in page)
        else:
            response = client.list_repository_events(
                ListRepositoryEventsRequest(repository_id=args.repository_id, offset=offset, limit=args.limit)
            )
            page = response.body or []
            digest += sum(e.author_id or 0 for e in page)
        pages += 1
        items += len(page)
        offset += len(page)
        if len(page) < args.limit or (args.max_items is not None and items >= args.max_items):
            break
    wall = time.perf_counter() - started

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime + usage.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss is in KiB on Linux.
    print(
        f"result items={items} pages={pages} digest={digest} concurrency=1 wall_seconds={wall:.6f} "
        f"cpu_seconds={cpu:.3f} peak_rss_kib={usage.ru_maxrss}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
