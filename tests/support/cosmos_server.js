// The Cosmos-protocol test server (@vercel/cosmosdb-server) as its own cli.js starts it, but with HTTP
// keep-alive. Its CLI answers every request with `Connection: close`, so every request of every client
// paid a new TCP connection and TLS handshake; Azure Cosmos DB keeps connections open, and so does this.
// An idle connection is never closed by the server (keepAliveTimeout 0), so a client never sends a
// request on a connection the server is closing at that moment.
//
// With `--cert` and `--key` (PEM files), it presents that certificate instead of the package's own (expired, for
// `cosmosdb`): the tests make one for 127.0.0.1 that their clients verify (tests/support/cosmos_tls.py).
//
//     node tests/support/cosmos_server.js --host 127.0.0.1 --port N [--cert cert.pem --key key.pem]
"use strict";

const fs = require("node:fs");
const { createHttpsServer } = require("@vercel/cosmosdb-server");

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const host = option("--host", "127.0.0.1");
const port = Number.parseInt(option("--port", "0"), 10);

const cert = option("--cert", "");
const key = option("--key", "");
const tls = cert && key ? { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } : {};

const server = createHttpsServer({ keepAlive: true, ...tls });
server.keepAliveTimeout = 0;
server.listen(port, host, () => {
  // eslint-disable-next-line no-console
  console.log(`Ready to accept HTTPS connections at ${host}:${server.address().port} (keep-alive)`);
});
