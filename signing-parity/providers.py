"""The official Huawei Cloud Python SDK's own credential providers against our emulator.

Run by `cargo xtask signing-parity` after parity.py, with the same venv and emulator (started
with `--region-projects cn-south-1= --region-projects cn-east-3=p1,p2`). The official code
runs unchanged; only its documented settings point it at the emulator:

1. project id discovery: `BasicCredentials(ak, sk)` without a project id and a client built
   `with_region`, `HUAWEICLOUD_SDK_IAM_ENDPOINT` naming the emulator. The official SDK lists
   `GET /v3/projects?name=<region>` (signed), takes the one project, and lists commits;
   a region with no project and one with several fail with its own errors;
2. the ECS metadata provider (`MetadataCredentialProvider`): its URL is fixed at
   `http://169.254.169.254`, so `HTTP_PROXY` (honoured by `requests`, which the official
   `MetadataAccessor` calls) names the emulator, which answers the absolute-form requests a
   proxy gets. The temporary keys then sign a list of commits;
3. IdP federation (`EnvCredentialProvider` with `HUAWEICLOUD_SDK_IDP_ID` and
   `HUAWEICLOUD_SDK_ID_TOKEN_FILE`): the official `FederalAccessor` exchanges the emulator's
   id token at `/v3.0/OS-AUTH/id-token/tokens` and `/v3.0/OS-CREDENTIAL/securitytokens`,
   then finds the project id with the temporary keys and lists commits.

Prints one `providers: N passed, N failed` line; exits 1 on any failure.
"""

import os
import sys
import tempfile

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.auth.provider import EnvCredentialProvider, MetadataCredentialProvider
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcodeartsrepo.v4 import CodeArtsRepoClient, ListCommitsRequest

# The same pass/fail count as the signing checks (this script runs beside parity.py).
from parity import Tally

ENDPOINT = os.environ["CODEARTS_REPO_ENDPOINT"]
REPOSITORY = int(os.environ["CODEARTS_REPO_REPOSITORY_IDS"].split()[0])
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


def list_commits(client):
    response = client.list_commits(ListCommitsRequest(repository_id=REPOSITORY, offset=0, limit=2))
    return len(response.commits or [])


def regional_client(credentials, region):
    return (
        CodeArtsRepoClient.new_builder()
        .with_credentials(credentials)
        .with_region(Region(region, ENDPOINT))
        .build()
    )


def project_discovery(tally):
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = ENDPOINT
    ak, sk = os.environ["CODEARTS_REPO_AK"], os.environ["CODEARTS_REPO_SK"]
    credentials = BasicCredentials(ak, sk)
    try:
        client = regional_client(credentials, "cn-north-4")
        tally.check(credentials.project_id == os.environ["CODEARTS_REPO_PROJECT_ID"],
                    "official project id discovery finds the emulator's project", repr(credentials.project_id))
        tally.check(list_commits(client) > 0, "official client with a discovered project id lists commits")
    except Exception as error:
        tally.check(False, "official project id discovery against the emulator", repr(error))
    for region, expected in (("cn-south-1", "Failed to get project id"), ("cn-east-3", "Multiple project ids")):
        try:
            regional_client(BasicCredentials(ak, sk), region)
            tally.check(False, "official discovery in %s fails" % region, "it succeeded")
        except Exception as error:
            tally.check(expected in str(error), "official discovery in %s fails: %s" % (region, expected),
                        repr(error))


def metadata_provider(tally):
    saved = {name: os.environ.pop(name) for name in PROXY_VARS if name in os.environ}
    os.environ["HTTP_PROXY"] = ENDPOINT
    os.environ["http_proxy"] = ENDPOINT
    try:
        credentials = MetadataCredentialProvider.get_basic_credential_metadata_provider().get_credentials()
    except Exception as error:
        tally.check(False, "official metadata provider against the emulator", repr(error))
        return
    finally:
        for name in ("HTTP_PROXY", "http_proxy"):
            os.environ.pop(name, None)
        os.environ.update(saved)
    tally.check(credentials.ak == os.environ["CODEARTS_REPO_TEMPORARY_AK"],
                "official metadata provider gets the emulator's temporary keys", repr(credentials.ak))
    tally.check(bool(credentials.security_token), "official metadata provider gets a security token")
    credentials.project_id = os.environ["CODEARTS_REPO_PROJECT_ID"]
    try:
        client = CodeArtsRepoClient.new_builder().with_credentials(credentials).with_endpoints([ENDPOINT]).build()
        tally.check(list_commits(client) > 0, "official client with metadata credentials lists commits")
    except Exception as error:
        tally.check(False, "official client with metadata credentials", repr(error))


def idp_provider(tally):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "id_token")
        with open(path, "w") as f:
            f.write(os.environ["CODEARTS_REPO_ID_TOKEN"])
        for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID"):
            os.environ.pop(name, None)
        os.environ["HUAWEICLOUD_SDK_IDP_ID"] = os.environ["CODEARTS_REPO_IDP_ID"]
        os.environ["HUAWEICLOUD_SDK_ID_TOKEN_FILE"] = path
        os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = ENDPOINT
        try:
            credentials = EnvCredentialProvider.get_basic_credential_env_provider().get_credentials()
            client = regional_client(credentials, "ap-southeast-1")
            tally.check(credentials.ak and credentials.ak != os.environ["CODEARTS_REPO_AK"]
                        and bool(credentials.security_token),
                        "official IdP provider gets temporary keys from the emulator", repr(credentials.ak))
            tally.check(credentials.project_id == os.environ["CODEARTS_REPO_PROJECT_ID"],
                        "official IdP credentials find the project id", repr(credentials.project_id))
            tally.check(list_commits(client) > 0, "official client with IdP credentials lists commits")
        except Exception as error:
            tally.check(False, "official IdP provider against the emulator", repr(error))


def main():
    tally = Tally()
    project_discovery(tally)
    metadata_provider(tally)
    idp_provider(tally)
    print("providers: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
