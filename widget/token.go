package widget

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontlinehq/frontline"
)

// visitorToken is what a signed visitor token says. It is readable by the
// client (base64 JSON) but only the server can make one.
type visitorToken struct {
	VisitorID      string `json:"vid"`
	ConversationID string `json:"cid,omitempty"`
	SiteKey        string `json:"site"`
	// CustomerID is set when the visitor was verified by the site.
	CustomerID string `json:"uid,omitempty"`
	Expires    int64  `json:"exp"`
}

// tokenPrefix versions the token format.
const tokenPrefix = "v1."

var b64 = base64.RawURLEncoding

// signToken returns "v1.<payload>.<mac>" where mac is HMAC-SHA256 over
// "v1.<payload>" with secret.
func signToken(secret []byte, t visitorToken) string {
	payload, err := json.Marshal(t)
	if err != nil {
		panic("widget: marshal token: " + err.Error()) // plain strings and an int cannot fail
	}
	signed := tokenPrefix + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(tokenMAC(secret, signed))
}

func tokenMAC(secret []byte, signed string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signed))
	return m.Sum(nil)
}

// parseToken checks the signature, expiry and site of a token. Every
// failure is EUnauthorized with a message safe to show.
func parseToken(secret []byte, token, siteKey string, now time.Time) (visitorToken, error) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: unknown format")
	}
	payload, mac, ok := strings.Cut(rest, ".")
	if !ok {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: unknown format")
	}
	gotMAC, err := b64.DecodeString(mac)
	if err != nil || !hmac.Equal(gotMAC, tokenMAC(secret, tokenPrefix+payload)) {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: bad signature")
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: bad encoding")
	}
	var t visitorToken
	if err := json.Unmarshal(raw, &t); err != nil || !frontline.ValidID(t.VisitorID) {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: bad payload")
	}
	if now.Unix() >= t.Expires {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: expired")
	}
	if t.SiteKey != siteKey {
		return visitorToken{}, frontline.Errorf(frontline.EUnauthorized, "visitor token: issued for another site")
	}
	return t, nil
}

// UserHash is what a site computes server-side to verify a customer:
// hex(HMAC-SHA256(secret, userID)). Exported so sites written in Go (and the
// demo) can use it.
func UserHash(secret, userID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// verifyUser checks a user_hash in constant time.
func verifyUser(secret, userID, userHash string) error {
	if secret == "" {
		return frontline.Errorf(frontline.EForbidden, "identity verification is not enabled for this site")
	}
	got, err := hex.DecodeString(userHash)
	if err != nil {
		return frontline.Errorf(frontline.EForbidden, "field user_hash: not hex")
	}
	want, _ := hex.DecodeString(UserHash(secret, userID))
	if !hmac.Equal(got, want) {
		return frontline.Errorf(frontline.EForbidden, "field user_hash: does not match user_id")
	}
	return nil
}

func (t visitorToken) String() string {
	return fmt.Sprintf("visitor %s conversation %s site %s", t.VisitorID, t.ConversationID, t.SiteKey)
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// conversationIDFor derives a visitor's conversation id from their visitor
// id: every connection of the visitor, on any node, creates the same one, so
// racing connections cannot split a visitor's messages into two threads. It
// is keyed with the token secret, so visitor ids do not reveal it.
func (s *Server) conversationIDFor(visitorID string) string {
	m := hmac.New(sha256.New, s.cfg.TokenSecret)
	m.Write([]byte("conversation:" + visitorID))
	return "c_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:16]))
}
