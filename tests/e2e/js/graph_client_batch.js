// JSON batching through Microsoft's JS Graph client (@microsoft/microsoft-graph-client): its
// BatchRequestContent builds each batch from fetch Requests, client.api("/$batch").post() sends it and
// BatchResponseContent reads the answers, as an application would against Graph.
//
// Run by tests/e2e/test_batch.py: `node graph_client_batch.js`, with API_ORIGIN (http://127.0.0.1:<port>),
// API_PREFIX (the route prefix, "api"), TOKEN (User.ReadWrite) and READER_TOKEN (User.Read). Prints one
// JSON object: for each batch, each request id's status, headers and body as the client read them.
//
// The client's own AuthenticationHandler sends tokens to https hosts only (Graph's, or custom https
// hosts), so the chain here starts with a small handler that adds the bearer token for this one
// loopback origin; the rest is the client's default chain (retry, redirect, telemetry, fetch).
"use strict";

const { BatchRequestContent, BatchResponseContent, Client, MiddlewareFactory } = require(
  "@microsoft/microsoft-graph-client",
);

const origin = process.env.API_ORIGIN;
const prefix = process.env.API_PREFIX;
const root = `${origin}/${prefix}`;
const MISSING = "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f";

class LoopbackBearer {
  constructor(token) {
    this.token = token;
  }

  async execute(context) {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    if (this.token && url.startsWith(`${origin}/`)) {
      context.options.headers = { ...(context.options.headers || {}), Authorization: `Bearer ${this.token}` };
    }
    return this.next.execute(context);
  }

  setNext(next) {
    this.next = next;
  }
}

function client(token) {
  const [, ...rest] = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: async () => "" });
  return Client.initWithMiddleware({
    middleware: [new LoopbackBearer(token), ...rest],
    baseUrl: origin,
    defaultVersion: prefix,
  });
}

function step(id, method, path, { body, headers = {}, dependsOn } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const request = { id, request: new Request(`${root}/${path}`, init) };
  if (dependsOn) {
    request.dependsOn = dependsOn;
  }
  return request;
}

async function run(graph, steps) {
  const content = await new BatchRequestContent(steps).getContent();
  const answer = new BatchResponseContent(await graph.api("/$batch").post(content));
  const out = {};
  for (const [id, response] of answer.getResponses()) {
    const headers = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const text = await response.text();
    let body = null;
    if (text) {
      body = (headers["content-type"] || "").startsWith("application/json") ? JSON.parse(text) : text;
    }
    out[id] = { status: response.status, headers, body };
  }
  return { sent: content, responses: out };
}

async function main() {
  const writer = client(process.env.TOKEN);
  const results = {};
  // Requests that depend on one and the same request ("same" in the client's terms).
  results.created = await run(writer, [
    step("create", "POST", "me/profile/skills", {
      body: { displayName: "JS client", proficiency: "expert", allowedAudiences: "organization" },
      headers: { "client-request-id": "js-create-1" },
    }),
    step("list", "GET", "me/profile/skills?$filter=displayName eq 'JS client'&$count=true", {
      dependsOn: ["create"],
    }),
    step("missing", "GET", `me/profile/skills/${MISSING}`, { dependsOn: ["create"] }),
  ]);
  const created = results.created.responses.create;
  const facetPath = `me/profile/skills/${created.body.id}`;
  // Independent requests (run in the order written): a stale If-Match, then the current one.
  results.conditional = await run(writer, [
    step("stale", "PATCH", facetPath, { body: { proficiency: "fullProfessional" }, headers: { "If-Match": '"stale"' } }),
    step("fresh", "PATCH", facetPath, {
      body: { proficiency: "advancedProfessional" }, headers: { "If-Match": created.headers.etag },
    }),
    step("selected", "GET", `${facetPath}?$select=proficiency`, { headers: { "client-request-id": "js-select-1" } }),
  ]);
  // A chain: each request depends on the one before; the first fails, so the DELETE never runs.
  results.chain = await run(writer, [
    step("gone", "GET", `me/profile/skills/${MISSING}`),
    step("delete", "DELETE", facetPath, { dependsOn: ["gone"] }),
    step("after", "GET", facetPath, { dependsOn: ["delete"] }),
  ]);
  results.reader = await run(client(process.env.READER_TOKEN), [
    step("write", "POST", "me/profile/skills", { body: { displayName: "Not allowed" } }),
    step("read", "GET", "me/profile/skills"),
  ]);
  results.anonymous = await run(client(""), [step("read", "GET", "me/profile")]);
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n${JSON.stringify(error)}\n`);
  process.exit(1);
});
