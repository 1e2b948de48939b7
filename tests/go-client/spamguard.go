// Sends github.com/adtac/go-akismet (Debian's golang-github-adtac-go-akismet-dev) to SpamGuard instead of Akismet.
// The package hard-codes https://{key}.rest.akismet.com/1.1/... with the key only in that host name, and sends it
// with a zero http.Client, that is through http.DefaultTransport. Wrapping that transport keeps the key label and
// swaps the rest of the name for SpamGuard's, so publish a wildcard DNS name *.spamguard.example.org (and a
// certificate for it) pointing at SpamGuard. Copied by docs/akismet-clients.md, and built as it is by
// SpamGuard.Server.Tests (GoAkismetTests).
package main

import (
	"net/http"
	"strings"
)

// toSpamGuard rewrites rest.akismet.com and {key}.rest.akismet.com to the same labels under host (host[:port]).
type toSpamGuard struct {
	host string
	next http.RoundTripper
}

func (t toSpamGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	name := r.URL.Hostname()
	if name == "rest.akismet.com" || strings.HasSuffix(name, ".rest.akismet.com") {
		r = r.Clone(r.Context())
		r.URL.Host = strings.TrimSuffix(strings.TrimSuffix(name, "rest.akismet.com"), ".") // the key label, if any
		if r.URL.Host == "" {
			r.URL.Host = t.host
		} else {
			r.URL.Host += "." + t.host
		}
		r.Host = ""
	}
	return t.next.RoundTrip(r)
}

// useSpamGuard must run before the first akismet call, e.g. in main or an init function.
func useSpamGuard(host string) {
	http.DefaultTransport = toSpamGuard{host: host, next: http.DefaultTransport}
}
