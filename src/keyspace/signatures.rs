//! Key layouts of well-known libraries.
//!
//! Where a library installs here, its layout was recorded from the real library by
//! `scripts/record-keyspaces` (fixtures in `tests/fixtures/keyspaces/`, which the tests load
//! into a real redis-server). Where it does not (Ruby, PHP, Java), each entry cites the
//! source file that defines the layout.

use std::collections::HashSet;

use super::{Key, KeyType, Use, namespace_of};

/// A library's key layout.
#[derive(Debug)]
pub struct Signature {
    /// The library, as shown.
    pub library: &'static str,
    /// What its keys are for.
    pub usage: Use,
    /// The layout, as evidence.
    pub layout: &'static str,
    /// Lower wins when two signatures meet in one namespace.
    pub rank: u8,
}

macro_rules! signature {
    ($name:ident, $library:literal, $usage:ident, $layout:literal, $rank:literal) => {
        static $name: Signature = Signature {
            library: $library,
            usage: Use::$usage,
            layout: $layout,
            rank: $rank,
        };
    };
}

// Recorded: tests/fixtures/keyspaces/bullmq.json. BullMQ shares Bull's layout and adds the
// `events` stream, the `meta` hash and the `marker` sorted set, which tell the two apart.
signature!(
    BULLMQ,
    "BullMQ",
    Queue,
    "bull:<queue>:wait|meta|events|marker|<job id>",
    0
);
// Recorded: tests/fixtures/keyspaces/bull.json.
signature!(
    BULL,
    "Bull",
    Queue,
    "bull:<queue>:wait|id|delayed|completed|<job id>",
    1
);
// Recorded: tests/fixtures/keyspaces/bee-queue.json.
signature!(
    BEE,
    "Bee-Queue",
    Queue,
    "bq:<queue>:id|jobs|waiting|succeeded|…",
    0
);
// sidekiq/sidekiq lib/sidekiq/client.rb (`conn.sadd("queues", …)`, `conn.lpush("queue:#{queue}", …)`,
// `conn.zadd("schedule", …)`) and lib/sidekiq/api.rb ("retry", "dead", "processes", "stat:processed").
signature!(
    SIDEKIQ,
    "Sidekiq",
    Queue,
    "queue:<name> lists, queues/processes sets, schedule/retry/dead sorted sets",
    0
);
// resque/resque lib/resque/data_store.rb (`"queue:#{queue}"`, `:queues`, `"worker:#{id}"`,
// `"stat:#{stat}"`) under the `resque` namespace set in lib/resque.rb.
signature!(
    RESQUE,
    "Resque",
    Queue,
    "resque:queue:<name>, resque:queues, resque:workers…",
    0
);
// Recorded: tests/fixtures/keyspaces/rq.json.
signature!(
    RQ,
    "RQ",
    Queue,
    "rq:queue:<name>, rq:job:<id>, rq:queues, rq:finished:<name>…",
    0
);
// Recorded: tests/fixtures/keyspaces/celery.json (Kombu's Redis transport, Celery's backend).
signature!(
    CELERY,
    "Celery",
    Queue,
    "<queue> list with _kombu.binding.<queue>, unacked, unacked_index",
    0
);
signature!(
    CELERY_RESULTS,
    "Celery",
    Queue,
    "celery-task-meta-<task id> results",
    0
);
// Recorded: tests/fixtures/keyspaces/dramatiq.json.
signature!(
    DRAMATIQ,
    "Dramatiq",
    Queue,
    "dramatiq:<queue>, dramatiq:<queue>.msgs, dramatiq:__heartbeats__",
    0
);
// Recorded: tests/fixtures/keyspaces/arq.json.
signature!(ARQ, "arq", Queue, "arq:queue sorted set, arq:job:<id>", 0);
// laravel/framework src/Illuminate/Queue/RedisQueue.php (`'queues:'.$queue`, `:reserved`,
// `:delayed`, `:notify`), behind the connection prefix `<app>_database_` of config/database.php.
signature!(
    LARAVEL_QUEUE,
    "Laravel",
    Queue,
    "[<app>_database_]queues:<name>[:reserved|:delayed|:notify]",
    0
);
// laravel/framework src/Illuminate/Cache/RedisStore.php (`$prefix.':'`) with the default cache
// prefix `<app>_cache` of config/cache.php.
signature!(
    LARAVEL_CACHE,
    "Laravel",
    Cache,
    "[<app>_database_]<app>_cache[_]:<key>",
    0
);
// laravel/framework src/Illuminate/Session/Store.php: `generateSessionId()` is `Str::random(40)`,
// kept in the cache store when SESSION_DRIVER=redis (src/Illuminate/Session/CacheBasedSessionHandler.php).
signature!(
    LARAVEL_SESSION,
    "Laravel",
    Session,
    "<app>_cache[_]:<40-character session id>",
    0
);
// rails/rails activesupport/lib/active_support/cache/redis_cache_store.rb keys entries by
// name, and fragment caching (actionview/lib/action_view/helpers/cache_helper.rb) under `views/`.
// Action Cable (actioncable/lib/action_cable/subscription_adapter/redis.rb) uses pub/sub
// channels only: it leaves no keys to sample.
signature!(
    RAILS_CACHE,
    "Rails",
    Cache,
    "views/<fragment> cache entries",
    0
);
// Recorded: tests/fixtures/keyspaces/django.json (django.core.cache.backends.redis: `:<version>:<key>`).
signature!(DJANGO_CACHE, "Django", Cache, ":<version>:<key>", 1);
signature!(
    DJANGO_SESSION,
    "Django",
    Session,
    ":<version>:django.contrib.sessions.cache<session key>",
    0
);
// Recorded: tests/fixtures/keyspaces/connect-redis.json.
signature!(
    CONNECT_REDIS,
    "connect-redis",
    Session,
    "sess:<session id>",
    0
);
// Recorded: tests/fixtures/keyspaces/rate-limit-redis.json (express-rate-limit's Redis store).
signature!(
    RATE_LIMIT_REDIS,
    "express-rate-limit",
    RateLimit,
    "rl:<client key>",
    0
);
// Recorded: tests/fixtures/keyspaces/rate-limiter-flexible.json.
signature!(RLFLX, "rate-limiter-flexible", RateLimit, "rlflx:<key>", 0);
// spring-projects/spring-session spring-session-data-redis/src/main/java/org/springframework/
// session/data/redis/RedisIndexedSessionRepository.java: DEFAULT_NAMESPACE "spring:session",
// keys `sessions:<id>`, `sessions:expires:<id>`, `expirations:<minute>`.
signature!(
    SPRING_SESSION,
    "Spring Session",
    Session,
    "spring:session:sessions:<id>, …:expires:<id>, …:expirations:<minute>",
    0
);
// phpredis/phpredis redis_session.c: the default `prefix` of the session handler is
// "PHPREDIS_SESSION:".
signature!(
    PHP_SESSION,
    "PHP sessions (phpredis)",
    Session,
    "PHPREDIS_SESSION:<session id>",
    0
);
// socketio/socket.io-redis-streams-adapter lib/adapter.ts: `streamName` defaults to "socket.io".
// The pub/sub adapter (socketio/socket.io-redis-adapter lib/index.ts) uses channels only.
signature!(
    SOCKET_IO,
    "Socket.IO streams adapter",
    Other,
    "socket.io stream",
    0
);

/// Facts about the whole sample a key's match can depend on.
pub struct Context {
    /// Queues named by Kombu's `_kombu.binding.<queue>` sets.
    kombu_queues: HashSet<String>,
}

impl Context {
    /// Gathers the context from the sample.
    pub fn of(keys: &[Key]) -> Context {
        Context {
            kombu_queues: keys
                .iter()
                .filter_map(|k| k.name.strip_prefix("_kombu.binding."))
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The namespace and signature of a key that matches a known layout.
pub fn match_key(key: &Key, ctx: &Context) -> Option<(String, &'static Signature)> {
    let n = key.name.as_str();
    // A key sampled by name only (its TYPE was not read) matches on its name alone.
    let t = key.kind;
    let is = |want: KeyType| t.is_none_or(|k| k == want);
    let hit = |pattern: &str, sig: &'static Signature| Some((pattern.to_string(), sig));
    if let Some(rest) = n.strip_prefix("bull:") {
        let (queue, part) = rest.split_once(':')?;
        let sig = match part {
            "events" if is(KeyType::Stream) => &BULLMQ,
            "meta" if is(KeyType::Hash) => &BULLMQ,
            "marker" if is(KeyType::Zset) => &BULLMQ,
            _ => &BULL,
        };
        return Some((format!("bull:{queue}:*"), sig));
    }
    if let Some(rest) = n.strip_prefix("bq:") {
        let (queue, _) = rest.split_once(':')?;
        return Some((format!("bq:{queue}:*"), &BEE));
    }
    if n.starts_with("rq:") {
        return hit("rq:*", &RQ);
    }
    if n.starts_with("dramatiq:") {
        return hit("dramatiq:*", &DRAMATIQ);
    }
    if n.starts_with("arq:") {
        return hit("arq:*", &ARQ);
    }
    if n.starts_with("resque:") {
        return hit("resque:*", &RESQUE);
    }
    if n.starts_with("_kombu.binding.") {
        return hit("_kombu.binding.*", &CELERY);
    }
    if matches!(n, "unacked" | "unacked_index" | "unacked_mutex") {
        return hit("unacked*", &CELERY);
    }
    if is(KeyType::List) && (n == "celery" || ctx.kombu_queues.contains(n)) {
        return hit(n, &CELERY);
    }
    if n.starts_with("celery-task-meta-") || n.starts_with("celery-taskset-meta-") {
        return hit("celery-task-meta-*", &CELERY_RESULTS);
    }
    if let Some(m) = sidekiq(n, t) {
        return Some(m);
    }
    if let Some(m) = laravel(n, t) {
        return Some(m);
    }
    if n.starts_with("views/") {
        return hit("views/*", &RAILS_CACHE);
    }
    if let Some(m) = django(n) {
        return Some(m);
    }
    if n.starts_with("sess:") {
        return hit("sess:*", &CONNECT_REDIS);
    }
    if n.starts_with("rl:") && is(KeyType::String) {
        return hit("rl:*", &RATE_LIMIT_REDIS);
    }
    if n.starts_with("rlflx:") {
        return hit("rlflx:*", &RLFLX);
    }
    if n.starts_with("spring:session:") {
        return hit("spring:session:*", &SPRING_SESSION);
    }
    if n.starts_with("PHPREDIS_SESSION:") {
        return hit("PHPREDIS_SESSION:*", &PHP_SESSION);
    }
    if n == "socket.io" && is(KeyType::Stream) {
        return hit(n, &SOCKET_IO);
    }
    None
}

/// Sidekiq's keys, which have no prefix of their own.
fn sidekiq(n: &str, t: Option<KeyType>) -> Option<(String, &'static Signature)> {
    let is = |want: KeyType| t.is_none_or(|k| k == want);
    let pattern = match n {
        q if q.starts_with("queue:") && is(KeyType::List) => "queue:*",
        "schedule" | "retry" | "dead" if is(KeyType::Zset) => n,
        "queues" | "processes" if is(KeyType::Set) => n,
        s if (s.starts_with("stat:processed") || s.starts_with("stat:failed"))
            && is(KeyType::String) =>
        {
            "stat:*"
        }
        _ => return None,
    };
    Some((pattern.to_string(), &SIDEKIQ))
}

/// Laravel's queue, cache and session keys, behind the optional connection prefix.
fn laravel(n: &str, t: Option<KeyType>) -> Option<(String, &'static Signature)> {
    // `laravel_database_queues:default`, `queues:default:reserved`
    if let Some(at) = n.find("queues:") {
        let prefix = &n[..at];
        let rest = &n[at + "queues:".len()..];
        let tail_ok = match rest.split_once(':') {
            None => t.is_none_or(|k| k == KeyType::List),
            Some((_, tail)) => matches!(tail, "reserved" | "delayed" | "notify"),
        };
        if (prefix.is_empty() || prefix.ends_with('_')) && tail_ok && !rest.is_empty() {
            return Some((format!("{prefix}queues:*"), &LARAVEL_QUEUE));
        }
    }
    // `laravel_database_laravel_cache:key` (Laravel ≤ 10), `…laravel_cache_:key` (11+)
    let at = n
        .find("_cache:")
        .map(|i| (i, "_cache:"))
        .or_else(|| n.find("_cache_:").map(|i| (i, "_cache_:")))?;
    let prefix = &n[..at.0 + at.1.len()];
    if !prefix.contains("laravel") && !prefix.contains("_database_") {
        return None;
    }
    let rest = &n[prefix.len()..];
    if rest.len() == 40 && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some((format!("{prefix}<session id>"), &LARAVEL_SESSION));
    }
    Some((format!("{prefix}*"), &LARAVEL_CACHE))
}

/// Django's cache keys, `:<version>:<key>`, and its cache-backed sessions.
fn django(n: &str) -> Option<(String, &'static Signature)> {
    let rest = n.strip_prefix(':')?;
    let (version, key) = rest.split_once(':')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    for engine in [
        "django.contrib.sessions.cached_db",
        "django.contrib.sessions.cache",
    ] {
        if key.starts_with(engine) {
            return Some((format!(":{version}:{engine}*"), &DJANGO_SESSION));
        }
    }
    Some((format!(":{version}:{}", namespace_of(key)), &DJANGO_CACHE))
}
