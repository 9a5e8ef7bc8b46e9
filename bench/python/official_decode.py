"""Times the official Python SDK's decoding of one commit-list body, without any I/O.

The SDK's own path for a 200 answer: `json.loads(text, parse_float=Decimal)` and then
`ApiClient._deserialize(data, "ListCommitsResponse")`, repeated over the same body. Prints
CPU microseconds per commit for the whole decode and for `json.loads` alone, to set
against the Rust SDK's criterion figure (`cargo bench -p codearts-repo --bench decode`).
Not part of the test suite; see BENCHMARKS.md for how the body is fetched.
"""

import argparse
import decimal
import json
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcodeartsrepo.v4 import CodeArtsRepoClient


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--body", required=True, help="a commit-list answer body (JSON file)")
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()

    # Never sends a request: only its deserializer is used.
    client = (
        CodeArtsRepoClient.new_builder()
        .with_credentials(BasicCredentials("A" * 20, "S" * 40, "0" * 32))
        .with_endpoints(["http://127.0.0.1:9"])
        .build()
    )
    with open(args.body, encoding="utf-8") as file:
        text = file.read()
    commits = len(json.loads(text)["commits"])
    if commits == 0:
        raise SystemExit(f"{args.body} holds no commits")

    started = time.process_time()
    for _ in range(args.iterations):
        data = json.loads(text, parse_float=decimal.Decimal)
        response = client._deserialize(data, "ListCommitsResponse")
    whole = time.process_time() - started
    assert len(response.commits) == commits

    started = time.process_time()
    for _ in range(args.iterations):
        json.loads(text, parse_float=decimal.Decimal)
    loads = time.process_time() - started

    per = 1e6 / (args.iterations * commits)
    print(f"commits={commits} decode_us_per_commit={whole * per:.2f} json_loads_us_per_commit={loads * per:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
