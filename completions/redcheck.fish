# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_redcheck_global_optspecs
    string join \n env= use= write-probe sample-keys= sample-read= sample-budget= timeout= connect-timeout= samples= password-file= sentinel-master= sentinel-password= sentinel-user= cacert= k/insecure sni= cert= key= format= color= q/quiet strict output= h/help V/version
end

function __fish_redcheck_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_redcheck_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_redcheck_using_subcommand
    set -l cmd (__fish_redcheck_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c redcheck -n "__fish_redcheck_needs_command" -l env -d 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l use -d 'What the database holds; judges the eviction policy against it' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_needs_command" -l sample-keys -d 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l sample-read -d 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l sample-budget -d 'Time budget of the keyspace sample' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l timeout -d 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l samples -d 'Number of PING round trips to time' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_needs_command" -l sentinel-master -d 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l sentinel-password -d 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL\'s own password goes to the master and replicas' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l sentinel-user -d 'ACL user for the Sentinels (with --sentinel-password)' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_needs_command" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_needs_command" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_needs_command" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_needs_command" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_needs_command" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_needs_command" -l output -d 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter\'s textfile collector with --format openmetrics' -r -F
complete -c redcheck -n "__fish_redcheck_needs_command" -l write-probe -d 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only'
complete -c redcheck -n "__fish_redcheck_needs_command" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_needs_command" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_needs_command" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_needs_command" -s V -l version -d 'Print version'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "check" -d 'Check one or more Redis URLs stage by stage (the default)'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "tls" -d 'Handshake only: the whole certificate chain, version, cipher and trust verdict'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "wait" -d 'Retry the check until every target passes or --timeout runs out (CI preflight)'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "url" -d 'Explain a URL offline: its parts, its lints, and how each client library reads it'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "memory" -d 'Memory, eviction, keyspace and clients: the verdicts and the numbers behind them'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "keys" -d 'How the app uses Redis: namespaces, estimated keys, TTLs, memory and inferred workloads'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "latency" -d 'Round-trip latency: PING samples, running percentiles, and a histogram at the end'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "idle" -d 'How long a connection may sit idle before something on the path cuts it: a ladder of idle connections, one PING each, and who cut (server timeout, reset, or silence)'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "serve" -d 'Serve /probe?target= and /metrics to Prometheus, in the blackbox_exporter style'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "completions" -d 'Print a shell completion script'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "man" -d 'Print the manual page (roff): redcheck man | man -l -'
complete -c redcheck -n "__fish_redcheck_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l env -d 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l use -d 'What the database holds; judges the eviction policy against it' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sample-keys -d 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sample-read -d 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sample-budget -d 'Time budget of the keyspace sample' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l timeout -d 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l samples -d 'Number of PING round trips to time' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sentinel-master -d 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sentinel-password -d 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL\'s own password goes to the master and replicas' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sentinel-user -d 'ACL user for the Sentinels (with --sentinel-password)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l output -d 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter\'s textfile collector with --format openmetrics' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l write-probe -d 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only'
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l save-chain -d 'Write the chain the server presented to FILE as PEM (to inspect, or to pass to --cacert)' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l timeout -d 'Bound on the whole handshake: 10, 2.5, 500ms, 2s' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand tls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l env -d 'Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l use -d 'What the database holds; judges the eviction policy against it' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sample-keys -d 'Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues, sessions, caches. 0 turns the sample off' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sample-read -d 'Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the biggest first). Each costs the server two commands; `redcheck keys` reads every key' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sample-budget -d 'Time budget of the keyspace sample' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l samples -d 'Number of PING round trips to time' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sentinel-master -d 'The URL is a Sentinel: ask it for this master and check that (same as redis+sentinel://host:26379/NAME)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sentinel-password -d 'Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=. The URL\'s own password goes to the master and replicas' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sentinel-user -d 'ACL user for the Sentinels (with --sentinel-password)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l output -d 'Write the report to FILE instead of stdout, atomically (written beside it, then renamed over it): for node_exporter\'s textfile collector with --format openmetrics' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l interval -d 'Pause after the first failed attempt; it doubles after each further one' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l max-interval -d 'Longest pause between attempts (at least --interval)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l attempt-timeout -d 'Bound on each attempt; never beyond what is left of --timeout' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l timeout -d 'Give up after this long: the whole wait, every attempt included' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l write-probe -d 'Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted. Off by default: the default run is read-only'
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand wait" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand url" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand url" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand url" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand url" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l use -d 'What the database holds; judges the eviction policy against it' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l timeout -d 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand memory" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l db -d 'Only this database (default: every database that holds keys)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l sample -d 'Keys to sample per database (per primary in a cluster)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l budget -d 'Time budget per database, pauses included: 500ms, 2s, 1m' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l pattern -d 'Only keys matching this glob (SCAN MATCH), e.g. \'sess:*\'' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l use -d 'What the database holds: judges the eviction policy against it instead of the sample' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l timeout -d 'Bound on the whole check of one target: 10, 2.5, 500ms, 2s' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand keys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l count -d 'Number of PING round trips' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l interval -d 'Time from the start of one round trip to the start of the next: 10ms, 0.5s' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l timeout -d 'Bound on connecting, and on each round trip' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l watch -d 'Sample until Ctrl-C, showing running p50/p99; the histogram is printed at the end'
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand latency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l for -d 'Longest idle time to try; the ladder is 10s, 30s, 1m, 2m, 4m, 6m, 10m, 15m, 20m, 30m, 45m, 60m up to it (and it)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l ladder -d 'Idle times to try instead of the default ladder, comma-separated: 5s,20s,1m' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l keepalive -d 'Turn TCP keep-alive on at this interval on every connection, to see whether it keeps them alive: 30s, 1m' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l password-file -d 'Read the password from FILE when the URL has none (one trailing newline is stripped). REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l format -d 'Output format' -r -f -a "human\t'A checklist for people'
json\t'One JSON object per target per line'
github\t'GitHub Actions: the checklist, ::error/::warning annotations and a step summary'
openmetrics\t'OpenMetrics text for Prometheus (node_exporter\'s textfile collector; see `serve`)'"
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l color -d 'When to use colour (NO_COLOR and TERM=dumb are honoured under auto)' -r -f -a "auto\t'Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise'
always\t'Always colour'
never\t'Never colour'"
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l timeout -d 'Bound on connecting, and on each probe\'s answer (silence past it: the flow was dropped)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -s q -l quiet -d 'Print only problems (warnings and failures) and the summary'
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -l strict -d 'Exit 1 on warnings too'
complete -c redcheck -n "__fish_redcheck_using_subcommand idle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l listen -d 'Address to listen on; anything but loopback must be given here (0.0.0.0:9121 for all)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l targets -d 'TOML file of named targets: name → url (or url_env), password_env or password_file. /probe?target=NAME then needs no URL, and no secret, in Prometheus\' configuration' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l concurrency -d 'Probes that run at once; further requests wait in a bounded queue' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l use -d 'What the databases hold, to judge eviction; a target\'s `use` in --targets wins' -r -f -a "cache\t'Everything can be recomputed: any key may be evicted'
queue\t'Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted'
session\t'Sessions: nothing may be evicted before its TTL'
mixed\t'Some of each'"
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l samples -d 'Number of PING round trips each probe times' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l connect-timeout -d 'Bound on each TCP connect attempt' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l cacert -d 'Trust the CA certificates in this PEM file instead of the system store' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l sni -d 'Server name to send and verify instead of the URL\'s host (tunnels, port-forwards)' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l cert -d 'Client certificate (PEM) for servers that require one; needs --key' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l key -d 'Private key (PEM) of --cert' -r -F
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l timeout -d 'Bound on each probe; Prometheus\' X-Prometheus-Scrape-Timeout-Seconds lowers it' -r
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -l allow-url-targets -d 'Also probe a raw URL given as ?target= (refused when it holds a password)'
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -s k -l insecure -d 'Proceed even if the certificate does not verify (still reports what verification found)'
complete -c redcheck -n "__fish_redcheck_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c redcheck -n "__fish_redcheck_using_subcommand completions" -s h -l help -d 'Print help'
complete -c redcheck -n "__fish_redcheck_using_subcommand man" -s h -l help -d 'Print help'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "check" -d 'Check one or more Redis URLs stage by stage (the default)'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "tls" -d 'Handshake only: the whole certificate chain, version, cipher and trust verdict'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "wait" -d 'Retry the check until every target passes or --timeout runs out (CI preflight)'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "url" -d 'Explain a URL offline: its parts, its lints, and how each client library reads it'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "memory" -d 'Memory, eviction, keyspace and clients: the verdicts and the numbers behind them'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "keys" -d 'How the app uses Redis: namespaces, estimated keys, TTLs, memory and inferred workloads'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "latency" -d 'Round-trip latency: PING samples, running percentiles, and a histogram at the end'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "idle" -d 'How long a connection may sit idle before something on the path cuts it: a ladder of idle connections, one PING each, and who cut (server timeout, reset, or silence)'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "serve" -d 'Serve /probe?target= and /metrics to Prometheus, in the blackbox_exporter style'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "man" -d 'Print the manual page (roff): redcheck man | man -l -'
complete -c redcheck -n "__fish_redcheck_using_subcommand help; and not __fish_seen_subcommand_from check tls wait url memory keys latency idle serve completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
