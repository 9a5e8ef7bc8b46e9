// Drives the TypeScript client (openapi-typescript types + openapi-fetch) generated from
// openapi/codearts-repo.json against the emulator.
//
// Run by `cargo xtask spec-clients`, which copies this file next to the generated
// `schema.d.ts`, type-checks both with `tsc` (so every field used here must exist in the
// generated types with the type used), starts the emulator and runs this file with `tsx`,
// passing what the emulator printed in the environment:
//
//   CODEARTS_REPO_ENDPOINT        base URL, e.g. http://127.0.0.1:40123
//   CODEARTS_REPO_TOKEN           a token that can read every repository
//   CODEARTS_REPO_REPOSITORY_IDS  the seeded repository ids, space separated
//   CODEARTS_REPO_USER_ID         id of the token's user
//   CODEARTS_REPO_PROJECT_ID      the seeded project id
//
// Every call goes through the generated client; the same request is also sent with plain
// `fetch`, and what the client returned must equal what was served.

import { deepStrictEqual } from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type PushEvent = components["schemas"]["RepositoryPushEventDto"];
type CommitList = components["schemas"]["CommitListDto"];
type ErrorBody = components["schemas"]["ErrorBody"];

let checks = 0;

/** Counts one check; stops the script with a message naming it when it fails. */
function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`typescript client: FAILED: ${what}`);
  }
  checks += 1;
}

function environment(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`typescript client: environment variable ${name} is not set`);
  }
  return value;
}

const endpoint = environment("CODEARTS_REPO_ENDPOINT").replace(/\/$/, "");
const token = environment("CODEARTS_REPO_TOKEN");
const repositoryIds = environment("CODEARTS_REPO_REPOSITORY_IDS").split(/\s+/).map(Number);
const userId = Number(environment("CODEARTS_REPO_USER_ID"));
const projectId = environment("CODEARTS_REPO_PROJECT_ID");
const timeoutMs = 60_000;

/** The same request as plain HTTP: status, headers and decoded body. */
async function raw(
  path: string,
  query: Record<string, string | number | boolean>,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`${endpoint}${path}?${search}`, {
    headers: { "X-Auth-Token": token },
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function sameAsServed(decoded: unknown, served: unknown, what: string): void {
  try {
    deepStrictEqual(decoded, served);
  } catch {
    check(false, `${what}: the client's value differs from the served JSON`);
  }
  checks += 1;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, failing on one that is not. */
function instant(text: string | undefined, what: string): number {
  const ms = Date.parse(text ?? "");
  check(!Number.isNaN(ms), `${what}: ${text} is not a timestamp`);
  return ms;
}

async function main(): Promise<void> {
  const client = createClient<paths>({
    baseUrl: endpoint,
    headers: { "X-Auth-Token": token },
    fetch: (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const repositoryId = repositoryIds[0];
  check(repositoryId !== undefined && repositoryId > 0, "the emulator printed no repository id");

  // Events, paged with offset/limit until X-Total is reached.
  const limit = 40;
  const events: PushEvent[] = [];
  let total: number | undefined;
  for (let offset = 0; total === undefined || offset < total; offset += limit) {
    const { data, response } = await client.GET("/v4/repositories/{repository_id}/events", {
      params: { path: { repository_id: repositoryId }, query: { offset, limit } },
    });
    check(response.status === 200 && data !== undefined, `events page at offset ${offset}: status ${response.status}`);
    const pageTotal = Number(response.headers.get("X-Total"));
    check(Number.isInteger(pageTotal), `X-Total ${response.headers.get("X-Total")} is not a number`);
    check(total === undefined || pageTotal === total, "X-Total changed between pages");
    total = pageTotal;
    const served = await raw(`/v4/repositories/${repositoryId}/events`, { offset, limit });
    check(Number(served.headers.get("x-total")) === total, "raw events page disagrees on X-Total");
    sameAsServed(data, served.body, `events page at offset ${offset}`);
    check(data.length === Math.min(limit, total - offset), `events page at offset ${offset} holds ${data.length} events`);
    events.push(...data);
  }
  check(total !== undefined && total > limit, `X-Total ${total} leaves nothing to page through`);
  check(events.length === total, `walked ${events.length} events, X-Total says ${total}`);
  const eventInstants = events.map((event, index) => instant(event.created_at, `event ${index}`));
  for (const [index, event] of events.entries()) {
    check(event.repository_id === repositoryId, `event of repository ${event.repository_id} listed`);
    check(event.author?.id === event.author_id, "event author_id differs from author.id");
    const actions: (string | undefined)[] = ["pushed to", "pushed new", "deleted"];
    check(actions.includes(event.action_name), `event ${index} has action ${event.action_name}`);
    check(index === 0 || eventInstants[index - 1]! >= eventInstants[index]!, "events are not newest first");
  }

  // The last push is the newest push event.
  const last = await client.GET("/v4/repositories/{repository_id}/last-push-event", {
    params: { path: { repository_id: repositoryId } },
  });
  check(last.response.status === 200 && last.data !== undefined, "last push event not returned");
  const lastServed = await raw(`/v4/repositories/${repositoryId}/last-push-event`, {});
  sameAsServed(last.data, lastServed.body, "last push event");
  check(last.data.repository?.id === repositoryId, `last push event names repository ${last.data.repository?.id}`);
  const newestInstant = eventInstants[0]!;
  check(instant(last.data.created_at, "last push") === newestInstant, "last push is not the newest push event");
  const newestRefs = events.filter((_, index) => eventInstants[index] === newestInstant).map((e) => e.push_data?.ref);
  check(newestRefs.includes(last.data.ref), `last push ref ${last.data.ref} is not the newest push's`);

  // Commits, with filters taken from an unfiltered page.
  const commitsPath = "/v4/repositories/{repository_id}/repository/commit-list" as const;
  const rawCommitsPath = `/v4/repositories/${repositoryId}/repository/commit-list`;
  const unfiltered = await client.GET(commitsPath, {
    params: { path: { repository_id: repositoryId }, query: { limit: 100 } },
  });
  const firstPage: CommitList | undefined = unfiltered.data;
  check(firstPage?.commits !== undefined && firstPage.commits.length > 2, "unfiltered commit page not returned");
  sameAsServed(firstPage, (await raw(rawCommitsPath, { limit: 100 })).body, "unfiltered commit page");
  const author = firstPage.commits[1]?.author_name ?? "";
  const until = firstPage.commits[0]?.committed_date ?? "";
  const since = firstPage.commits[firstPage.commits.length - 1]?.committed_date ?? "";
  check(author !== "" && until !== "" && since !== "", "commits lack author or dates to filter on");
  const filters = {
    ref_name: last.data.ref ?? "",
    author: author.toUpperCase(),
    since,
    until,
    order_by_date: true,
    limit: 50,
  };
  const filtered = await client.GET(commitsPath, {
    params: { path: { repository_id: repositoryId }, query: filters },
  });
  check(filtered.response.status === 200 && filtered.data?.commits !== undefined, "filtered commit page not returned");
  sameAsServed(filtered.data, (await raw(rawCommitsPath, filters)).body, "filtered commit page");
  const commits = filtered.data.commits;
  check(commits.length > 0, `no commit of ${author} between ${since} and ${until}`);
  const sinceMs = instant(since, "since");
  const untilMs = instant(until, "until");
  for (const [index, commit] of commits.entries()) {
    check((commit.author_name ?? "").toLowerCase().includes(author.toLowerCase()), `commit ${commit.id} by ${commit.author_name}`);
    const committed = instant(commit.committed_date, `commit ${commit.id}`);
    check(sinceMs < committed && committed < untilMs, `commit ${commit.id} outside the date filter`);
    const previous = commits[index - 1];
    check(index === 0 || instant(previous?.committed_date, "previous commit") >= committed, "order_by_date did not sort newest first");
  }
  const dayTotal = (filtered.data.date_title ?? []).reduce((sum, day) => sum + (day.commits_count ?? 0), 0);
  check(dayTotal === commits.length, `date_title counts ${dayTotal} commits, the page holds ${commits.length}`);

  // Recent pushes of the token's user.
  const recent = await client.GET("/v4/user/recent-push-events", {
    params: { query: { size: 5, project_id: projectId } },
  });
  check(recent.response.status === 200 && recent.data !== undefined, "recent pushes not returned");
  sameAsServed(recent.data, (await raw("/v4/user/recent-push-events", { size: 5, project_id: projectId })).body, "recent pushes");
  check(recent.data.length > 0 && recent.data.length <= 5, `${recent.data.length} recent pushes for size 5`);
  for (const push of recent.data) {
    check(push.author?.id === userId, `recent push by user ${push.author?.id}`);
    check(repositoryIds.includes(push.repository?.id ?? 0), `recent push to unknown repository ${push.repository?.id}`);
    check(push.repository?.project_id === projectId, "recent push outside the requested project");
  }

  // Errors come back as the one error body.
  const stranger = createClient<paths>({ baseUrl: endpoint, headers: { "X-Auth-Token": "not-a-token" } });
  const refused = await stranger.GET("/v4/repositories/{repository_id}/last-push-event", {
    params: { path: { repository_id: repositoryId } },
  });
  const refusal: ErrorBody | undefined = refused.error;
  check(refused.response.status === 401 && refusal?.error_code === "CH.00000001", `bad token answered ${refused.response.status}`);
  const invalid = await client.GET("/v4/repositories/{repository_id}/events", {
    params: { path: { repository_id: repositoryId }, query: { limit: 101 } },
  });
  check(invalid.response.status === 400 && (invalid.error?.error_msg ?? "").includes("limit"), "limit=101 is not a 400 naming limit");

  console.log(`typescript client: all ${checks} checks passed`);
}

await main();
