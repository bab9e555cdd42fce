
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'redcheck' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'redcheck'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'redcheck' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the database holds; judges the eviction policy against it')
            [CompletionResult]::new('--sample-keys', '--sample-keys', [CompletionResultType]::ParameterName, 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off')
            [CompletionResult]::new('--sample-read', '--sample-read', [CompletionResultType]::ParameterName, 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key')
            [CompletionResult]::new('--sample-budget', '--sample-budget', [CompletionResultType]::ParameterName, 'Time budget of the keyspace sample')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Number of PING round trips to time')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--sentinel-master', '--sentinel-master', [CompletionResultType]::ParameterName, 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL''s own password goes to the master and replicas')
            [CompletionResult]::new('--sentinel-user', '--sentinel-user', [CompletionResultType]::ParameterName, 'ACL user for the Sentinels (with --sentinel-password)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter''s textfile collector with --format openmetrics')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check one or more Redis URLs stage by stage (the default)')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'Handshake only: the whole certificate chain, version, cipher and trust verdict')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Retry the check until every target passes or --timeout runs out (CI preflight)')
            [CompletionResult]::new('url', 'url', [CompletionResultType]::ParameterValue, 'Explain a URL offline: its parts, its lints, and how each client library reads it')
            [CompletionResult]::new('memory', 'memory', [CompletionResultType]::ParameterValue, 'Memory, eviction, keyspace and clients: the verdicts and the numbers behind them')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'How the app uses Redis: namespaces, estimated keys, TTLs, memory and inferred workloads')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Round-trip latency: PING samples, running percentiles, and a histogram at the end')
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'How long a connection may sit idle before something on the path cuts it: a ladder of idle connections, one PING each, and who cut (server timeout, reset, or silence)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve /probe?target= and /metrics to Prometheus, in the blackbox_exporter style')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff): redcheck man | man -l -')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'redcheck;check' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the database holds; judges the eviction policy against it')
            [CompletionResult]::new('--sample-keys', '--sample-keys', [CompletionResultType]::ParameterName, 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off')
            [CompletionResult]::new('--sample-read', '--sample-read', [CompletionResultType]::ParameterName, 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key')
            [CompletionResult]::new('--sample-budget', '--sample-budget', [CompletionResultType]::ParameterName, 'Time budget of the keyspace sample')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Number of PING round trips to time')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--sentinel-master', '--sentinel-master', [CompletionResultType]::ParameterName, 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL''s own password goes to the master and replicas')
            [CompletionResult]::new('--sentinel-user', '--sentinel-user', [CompletionResultType]::ParameterName, 'ACL user for the Sentinels (with --sentinel-password)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter''s textfile collector with --format openmetrics')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;tls' {
            [CompletionResult]::new('--save-chain', '--save-chain', [CompletionResultType]::ParameterName, 'Write the chain the server presented to FILE as PEM (to inspect, or to pass to --cacert)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the whole handshake: 10, 2.5, 500ms, 2s')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;wait' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the database holds; judges the eviction policy against it')
            [CompletionResult]::new('--sample-keys', '--sample-keys', [CompletionResultType]::ParameterName, 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off')
            [CompletionResult]::new('--sample-read', '--sample-read', [CompletionResultType]::ParameterName, 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key')
            [CompletionResult]::new('--sample-budget', '--sample-budget', [CompletionResultType]::ParameterName, 'Time budget of the keyspace sample')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Number of PING round trips to time')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--sentinel-master', '--sentinel-master', [CompletionResultType]::ParameterName, 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)')
            [CompletionResult]::new('--sentinel-password', '--sentinel-password', [CompletionResultType]::ParameterName, 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL''s own password goes to the master and replicas')
            [CompletionResult]::new('--sentinel-user', '--sentinel-user', [CompletionResultType]::ParameterName, 'ACL user for the Sentinels (with --sentinel-password)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter''s textfile collector with --format openmetrics')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause after the first failed attempt; it doubles after each further one')
            [CompletionResult]::new('--max-interval', '--max-interval', [CompletionResultType]::ParameterName, 'Longest pause between attempts (at least --interval)')
            [CompletionResult]::new('--attempt-timeout', '--attempt-timeout', [CompletionResultType]::ParameterName, 'Bound on each attempt; never beyond what is left of --timeout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long: the whole wait, every attempt included')
            [CompletionResult]::new('--write-probe', '--write-probe', [CompletionResultType]::ParameterName, 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;url' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;memory' {
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the database holds; judges the eviction policy against it')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;keys' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'Only this database (default: every database that holds keys)')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Keys to sample per database (per primary in a cluster)')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'Time budget per database, pauses included: 500ms, 2s, 1m')
            [CompletionResult]::new('--pattern', '--pattern', [CompletionResultType]::ParameterName, 'Only keys matching this glob (SCAN MATCH), e.g. ''sess:*''')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the database holds: judges the eviction policy against it instead of the sample')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;latency' {
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of PING round trips')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time from the start of one round trip to the start of the next: 10ms, 0.5s')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on connecting, and on each round trip')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Sample until Ctrl-C, showing running p50/p99; the histogram is printed at the end')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;idle' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Longest idle time to try; the ladder is 10s, 30s, 1m, 2m, 4m, 6m, 10m, 15m, 20m, 30m, 45m, 60m up to it (and it)')
            [CompletionResult]::new('--ladder', '--ladder', [CompletionResultType]::ParameterName, 'Idle times to try instead of the default ladder, comma-separated: 5s,20s,1m')
            [CompletionResult]::new('--keepalive', '--keepalive', [CompletionResultType]::ParameterName, 'Turn TCP keep-alive on at this interval on every connection, to see whether it keeps them alive: 30s, 1m')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on connecting, and on each probe''s answer (silence past it: the flow was dropped)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only problems (warnings and failures) and the summary')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on; anything but loopback must be given here (0.0.0.0:9121 for all)')
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'TOML file of named targets: name → url (or url_env), password_env or password_file. /probe?target=NAME then needs no URL, and no secret, in Prometheus'' configuration')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Probes that run at once; further requests wait in a bounded queue')
            [CompletionResult]::new('--use', '--use', [CompletionResultType]::ParameterName, 'What the databases hold, to judge eviction; a target''s `use` in --targets wins')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'Number of PING round trips each probe times')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Bound on each TCP connect attempt')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file instead of the system store')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name to send and verify instead of the URL''s host (tunnels, port-forwards)')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM) for servers that require one; needs --key')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of --cert')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Bound on each probe; Prometheus'' X-Prometheus-Scrape-Timeout-Seconds lowers it')
            [CompletionResult]::new('--allow-url-targets', '--allow-url-targets', [CompletionResultType]::ParameterName, 'Also probe a raw URL given as ?target= (refused when it holds a password)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Proceed even if the certificate does not verify (still reports what verification found)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'redcheck;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'redcheck;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'redcheck;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check one or more Redis URLs stage by stage (the default)')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'Handshake only: the whole certificate chain, version, cipher and trust verdict')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Retry the check until every target passes or --timeout runs out (CI preflight)')
            [CompletionResult]::new('url', 'url', [CompletionResultType]::ParameterValue, 'Explain a URL offline: its parts, its lints, and how each client library reads it')
            [CompletionResult]::new('memory', 'memory', [CompletionResultType]::ParameterValue, 'Memory, eviction, keyspace and clients: the verdicts and the numbers behind them')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'How the app uses Redis: namespaces, estimated keys, TTLs, memory and inferred workloads')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Round-trip latency: PING samples, running percentiles, and a histogram at the end')
            [CompletionResult]::new('idle', 'idle', [CompletionResultType]::ParameterValue, 'How long a connection may sit idle before something on the path cuts it: a ladder of idle connections, one PING each, and who cut (server timeout, reset, or silence)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve /probe?target= and /metrics to Prometheus, in the blackbox_exporter style')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff): redcheck man | man -l -')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'redcheck;help;check' {
            break
        }
        'redcheck;help;tls' {
            break
        }
        'redcheck;help;wait' {
            break
        }
        'redcheck;help;url' {
            break
        }
        'redcheck;help;memory' {
            break
        }
        'redcheck;help;keys' {
            break
        }
        'redcheck;help;latency' {
            break
        }
        'redcheck;help;idle' {
            break
        }
        'redcheck;help;serve' {
            break
        }
        'redcheck;help;completions' {
            break
        }
        'redcheck;help;man' {
            break
        }
        'redcheck;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
