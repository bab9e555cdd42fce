// Reads every URL of a JSON array on stdin with ioredis's or node-redis's own parser and
// prints one JSON reading per URL. Never connects: ioredis gets `lazyConnect`, node-redis
// is only constructed (it connects on `connect()`).
//
//   node read_node.js ioredis <node_modules dir>
//   node read_node.js node-redis <node_modules dir>
//
// What is "sent" follows each library's handshake code, named at each reading below.
"use strict";

const path = require("node:path");

const [kind, modules] = process.argv.slice(2);
const load = (name) => require(path.join(path.resolve(modules), name));

// What the query holds, by the same WHATWG parse both libraries start from.
function queryNames(url) {
  try {
    const q = url.indexOf("?");
    if (q === -1) return [];
    const end = url.indexOf("#", q);
    return [...new URLSearchParams(url.slice(q + 1, end === -1 ? undefined : end)).keys()];
  } catch {
    return [];
  }
}

function fragment(url) {
  try {
    return new URL(url).hash.slice(1);
  } catch {
    return "";
  }
}

function error(e) {
  return `${e.name}: ${e.message}`;
}

// ioredis: `new Redis(url)` (Redis.js parseOptions + utils parseURL). Sent, from
// redis/event_handler.js connectHandler: `condition.auth` (username ? [username, password]
// : password) when truthy; SELECT when `condition.select` (options.db) is truthy; TLS when
// `options.tls` is truthy; a Unix socket when `options.path` is set.
function ioredis(url) {
  const Redis = load("ioredis").default;
  let client;
  try {
    client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false });
  } catch (e) {
    return { rejects: error(e) };
  }
  const o = client.options;
  client.disconnect();
  const auth = o.username ? [o.username, o.password] : o.password;
  const socket = o.path ? String(o.path) : null;
  const known = new Set([
    ...Object.keys(Redis.defaultOptions),
    "tls", "password", "username", "db", "family", "host", "port", "path", "name", "sentinels",
  ]);
  const names = queryNames(url);
  const ignored = names.filter((n) => !known.has(n));
  // Misread: a string where ioredis tests truthiness ("false", "0" turn the option on), and
  // `protocol`, which it compares with the number 3 (event_handler.js), so "3" means RESP2.
  const misread = names.filter(
    (n) =>
      known.has(n) &&
      typeof o[n] === "string" &&
      (n === "protocol" ||
        ((n === "tls" || typeof Redis.defaultOptions[n] === "boolean") &&
          /^(false|0|no|off)$/i.test(o[n]))),
  );
  const frag = fragment(url);
  if (frag) ignored.push(`#${frag}`);
  return {
    rejects: null,
    tls: Boolean(o.tls),
    host: socket ? null : String(o.host),
    port: socket ? null : Number(o.port),
    socket,
    user: auth ? (Array.isArray(auth) ? String(auth[0]) : null) : null,
    password: auth ? String(Array.isArray(auth) ? auth[1] ?? "" : auth) : null,
    db: o.db ? Number(o.db) : 0,
    protocol: o.protocol === 3 ? 3 : 2,
    ignored,
    misread,
  };
}

// node-redis: `createClient({ url })` runs RedisClient.parseURL in the constructor. Sent,
// from client/index.js #getHandshakeCommands: with RESP3, HELLO AUTH when the password is
// truthy (user "default" when none); with RESP2, AUTH when user or password is truthy
// (password `?? ''`); SELECT when the database is not 0. Socket defaults from
// client/socket.js (port 6379; Node's net default host is localhost).
function nodeRedis(url) {
  const { createClient } = load("redis");
  const types = load("@redis/client/dist/lib/RESP/types.js");
  let client;
  try {
    client = createClient({ url });
  } catch (e) {
    return { rejects: error(e) };
  }
  const o = client.options;
  const s = o.socket ?? {};
  const resp = o.RESP ?? types.DEFAULT_RESP ?? 2;
  const user = o.username || null;
  const pass = o.password || null;
  let sentUser = null;
  let sentPass = null;
  if (resp !== 2) {
    if (pass) {
      sentUser = user;
      sentPass = pass;
    }
  } else if (user || pass) {
    sentUser = user;
    sentPass = pass ?? "";
  }
  const socket = "path" in s ? String(s.path) : null;
  const readsDb = socket !== null && s.path !== undefined;
  const names = queryNames(url);
  const ignored = names.filter((n) => !(readsDb && n === "db"));
  const frag = fragment(url);
  if (frag) ignored.push(`#${frag}`);
  return {
    rejects: null,
    tls: s.tls === true,
    host: socket ? null : s.host || "localhost",
    port: socket ? null : Number(s.port ?? 6379),
    socket,
    user: sentUser,
    password: sentPass,
    db: Number(o.database ?? 0),
    protocol: resp === 2 ? 2 : 3,
    ignored,
    misread: [],
  };
}

let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const read = kind === "ioredis" ? ioredis : nodeRedis;
  const out = JSON.parse(input).map((u) => read(u));
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
});
