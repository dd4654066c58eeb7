/** `keyward --help`. */
export const MAIN_HELP = `Usage: keyward <command> [options]

Look at an issuer's keys and tokens the way keyward's verifier does, without pasting anything
into a website.

Commands:
  audit <issuer-url>   check the issuer's metadata, JWK Set and keys against the JWT BCP
  explain              say why a token (read from standard input) is accepted or refused
  watch <issuer-url>   follow the issuer's keys: rotations, metadata changes, failed fetches

Options:
  -h, --help           this help; keyward <command> --help for a command's
  -v, --version        the version

Examples:
  keyward audit https://auth.example.com/
  pbpaste | keyward explain --issuer https://auth.example.com/ --audience https://api.example.com
  keyward watch https://auth.example.com/ --interval 1m`

/** `keyward audit --help`. */
export const AUDIT_HELP = `Usage: keyward audit <issuer-url> [--json] [--fail-on <severity>] [--timeout <duration>]
                     [--proxy env|<url>] [--ca-file <pem>]

Discovers the issuer (OpenID Connect Discovery, then RFC 8414) with keyward's fetch rules
(https only, except on loopback; no redirects followed; 5 s and 512 KiB caps) and reports what is
wrong with its metadata, its JWK Set response and each key: a stable id, a severity, what was
seen, why it matters (RFC or BCP section) and the fix.

Options:
  --json                  print one JSON document instead of the report
  --fail-on <severity>    exit 1 when a finding is at or above it: low, medium, high (default)
                          or critical; info findings never fail
  --timeout <duration>    deadline of each fetch (default 5s)
  --proxy env|<url>       fetch through this proxy, as jwks.proxy: env reads HTTPS_PROXY,
                          HTTP_PROXY and NO_PROXY
  --ca-file <pem>         trust the certificates in this PEM file too, as jwks.extraCaCerts
  -h, --help

Exit status: 0 no finding reaches --fail-on, 1 one does, 2 the issuer could not be audited
(no metadata) or a usage error.

Examples:
  keyward audit https://auth.example.com/
  keyward audit https://auth.example.com/ --fail-on medium
  keyward audit https://auth.example.com/ --json | jq '.findings[] | {id, severity}'`

/** `keyward explain --help`. */
export const EXPLAIN_HELP = `Usage: keyward explain --issuer <url> --audience <aud> [--jwks-uri <url>] [--json]
                       [--proxy env|<url>] [--ca-file <pem>]

Reads one access token from standard input (so it stays out of your shell history), decodes it
without trusting it, runs keyward's real verifier with these settings, and prints the decision,
the rule that decided it, its RFC reference and the likely fix. It prints the token's header and
claims, never its signature.

Options:
  --issuer <url>          the issuer tokens must come from (exact match with iss)
  --audience <aud>        an audience the API accepts (repeat for several)
  --jwks-uri <url>        the JWK Set URL (default: discovered from the issuer)
  --token <token>         the token on the command line instead (it lands in shell history)
  --json                  print one JSON document
  --proxy env|<url>       fetch through this proxy, as jwks.proxy: env reads HTTPS_PROXY,
                          HTTP_PROXY and NO_PROXY
  --ca-file <pem>         trust the certificates in this PEM file too, as jwks.extraCaCerts
  -h, --help

Exit status: 0 accepted, 1 refused, 2 a usage error or the keys could not be fetched.

Examples:
  pbpaste | keyward explain --issuer https://auth.example.com/ --audience https://api.example.com
  keyward explain --issuer https://auth.example.com/ --audience api < token.txt --json`

/** `keyward watch --help`. */
export const WATCH_HELP = `Usage: keyward watch <issuer-url> [--jwks-uri <url>] [--interval <duration>] [--json] [--exit-on-change]
                     [--proxy env|<url>] [--ca-file <pem>]

Follows the issuer's metadata and JWK Set through keyward's real key source and prints one line
per event: keys added and removed (with RFC 7638 thumbprints), metadata changes, failed fetches,
staleness and recovery. Ctrl-C prints a summary.

Options:
  --interval <duration>   how often to reread the metadata and JWK Set with
                          verifier.refresh() (default 30s, at least 1s)
  --jwks-uri <url>        the JWK Set URL (default: discovered from the issuer)
  --json                  one JSON object per line
  --exit-on-change        exit (status 0) after the first key or metadata change
  --proxy env|<url>       fetch through this proxy, as jwks.proxy: env reads HTTPS_PROXY,
                          HTTP_PROXY and NO_PROXY
  --ca-file <pem>         trust the certificates in this PEM file too, as jwks.extraCaCerts
  -h, --help

Exit status: 0 after Ctrl-C or --exit-on-change, 2 a usage error.

Examples:
  keyward watch https://auth.example.com/
  keyward watch https://auth.example.com/ --interval 10s --exit-on-change
  keyward watch https://auth.example.com/ --json | jq -c 'select(.type == "key_added")'`
