// Added by scripts/infra/cluster/traefik.sh to its build copy of the pinned
// github.com/abbot/go-http-auth release (see ../go.mod): the two calls Traefik's basicAuth
// and digestAuth middlewares make that the release lacks.

package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSecret reports whether password matches the htpasswd secret, choosing the hash by
// the secret's prefix exactly as BasicAuth.CheckAuth does (MD5 crypt when none matches).
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, c := range compareFuncs[1:] {
		if strings.HasPrefix(secret, c.prefix) {
			compare = c.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuthStale answers like RequireAuth with a fresh nonce, and tells the client that
// its credentials were right but its nonce stale (RFC 7616, section 3.3), so it retries
// without asking the user. This release's CheckAuth never reports a stale nonce, so
// Traefik does not reach it.
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	nonce := RandomKey()
	a.mutex.Lock()
	if len(a.clients) > a.ClientCacheSize+a.ClientCacheTolerance {
		a.Purge(a.ClientCacheTolerance * 2)
	}
	a.clients[nonce] = &digest_client{nc: 0, last_seen: time.Now().UnixNano()}
	a.mutex.Unlock()
	w.Header().Set(contentType, a.Headers.V().UnauthContentType)
	w.Header().Set(a.Headers.V().Authenticate,
		fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="%s", algorithm="MD5", qop="auth", stale=true`,
			a.Realm, nonce, a.Opaque))
	w.WriteHeader(a.Headers.V().UnauthCode)
	_, _ = w.Write([]byte(a.Headers.V().UnauthResponse))
}
