package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := hashPassword("correct horse battery staple", DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the default costs", h)
	}
	if again, _ := hashPassword("correct horse battery staple", DefaultPasswordParams); again == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !verifyPassword("correct horse battery staple", h) {
		t.Error("the right password does not verify")
	}
	parts := strings.Split(h, "$")
	tampered := strings.Join(append(parts[:5:5], strings.Repeat("A", len(parts[5]))), "$")
	for name, c := range map[string]struct{ password, hash string }{
		"wrong password":     {"correct horse battery stapler", h},
		"empty password":     {"", h},
		"tampered key":       {"correct horse battery staple", tampered},
		"bcrypt hash":        {"x", "$2a$10$abcdefghijklmnopqrstuu"},
		"empty hash":         {"x", ""},
		"garbage parameters": {"correct horse battery staple", strings.Replace(h, "m=19456", "m=lots", 1)},
	} {
		if verifyPassword(c.password, c.hash) {
			t.Errorf("%s verifies", name)
		}
	}
}
