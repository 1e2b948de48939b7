// Drives Debian's go-akismet (github.com/adtac/go-akismet) against a SpamGuard server over TLS, as a program that
// called useSpamGuard (spamguard.go) would. Built offline in GOPATH mode from /usr/share/gocode and started by
// SpamGuard.Server.Tests (GoAkismetTests) with:
//
//	SPAMGUARD_HOST  spamguard.test:<port>, SpamGuard's HTTPS endpoint
//	SPAMGUARD_KEY   a site key for SPAMGUARD_BLOG
//	SPAMGUARD_BLOG  the blog URL the key is for
//	SSL_CERT_FILE   the test's CA, which signed SpamGuard's certificate for spamguard.test and *.spamguard.test
//	SPAMGUARD_EXTRA_HAM_CHECKS  how many ham checks to add at the end (default 0)
//
// Prints one JSON object with what the client answered. The package has no verify-key call.
package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/adtac/go-akismet/akismet"
)

type answer struct {
	Spam  bool   `json:"spam"`
	Error string `json:"error"`
}

func check(c *akismet.Comment, key string) answer {
	spam, err := akismet.Check(c, key)
	if err != nil {
		return answer{spam, err.Error()}
	}
	return answer{spam, ""}
}

func main() {
	host, key, blog := os.Getenv("SPAMGUARD_HOST"), os.Getenv("SPAMGUARD_KEY"), os.Getenv("SPAMGUARD_BLOG")
	if host == "" || key == "" || blog == "" {
		panic("SPAMGUARD_HOST, SPAMGUARD_KEY and SPAMGUARD_BLOG are required")
	}

	// Only name resolution changes, as a hosts file or DNS would do it: *.spamguard.test reaches the loopback
	// server. TLS still checks the certificate against the name the client built ({key}.spamguard.test).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		name, port, err := net.SplitHostPort(address)
		if err == nil && (name == "spamguard.test" || strings.HasSuffix(name, ".spamguard.test")) {
			address = net.JoinHostPort("127.0.0.1", port)
		}
		return dialer.DialContext(ctx, network, address)
	}
	transport.ResponseHeaderTimeout = 10 * time.Second
	http.DefaultTransport = transport

	useSpamGuard(host)

	base := akismet.Comment{Blog: blog, UserIP: "203.0.113.79", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)", Permalink: blog + "2026/11/a-post", CommentType: "comment"}
	spam, ham, report := base, base, base
	spam.CommentAuthor, spam.CommentContent = "viagra-test-123", "Nice post"
	ham.CommentAuthor, ham.CommentAuthorEmail, ham.CommentContent = "Ada Reader", "ada@example.net", "Thanks, a great article."
	report.CommentAuthor, report.CommentContent = "Sam", "slipped through & kept a=b"

	out := map[string]interface{}{
		"spam":          check(&spam, key),
		"ham":           check(&ham, key),
		"wrongKeyCheck": check(&ham, "0123456789ab"),
	}
	if err := akismet.SubmitSpam(&report, key); err != nil {
		out["reportError"] = err.Error()
	} else {
		out["reported"] = true
	}
	// Past the key's rate limit (when the test sets one), more ham checks: SpamGuard holds them as spam.
	extra, _ := strconv.Atoi(os.Getenv("SPAMGUARD_EXTRA_HAM_CHECKS"))
	extraHam := []answer{}
	for i := 0; i < extra; i++ {
		extraHam = append(extraHam, check(&ham, key))
	}
	out["extraHam"] = extraHam
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
