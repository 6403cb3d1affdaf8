package secrets

import (
	"errors"
	"fmt"
)

// ErrInvalidRef reports a reference this store did not issue: another store's, or a
// Secrets Manager ARN outside the configured prefix. Refusing those keeps a tampered
// connector record from reading an unrelated secret.
var ErrInvalidRef = errors.New("invalid secret reference")

// MaxValueBytes is the largest secret value accepted, Secrets Manager's own limit.
const MaxValueBytes = 65536

// maxIDLen bounds a connector id; Secrets Manager names are at most 512 characters
// including the prefix.
const maxIDLen = 128

// checkID accepts the characters Secrets Manager allows in a name, minus the separators
// '/', '+', '=', '@', so an id is always one name segment.
func checkID(id string) error {
	if id == "" {
		return errors.New("the connector id is empty")
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("the connector id is longer than %d characters", maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return fmt.Errorf("the connector id has a character other than letters, digits, '_', '-' and '.' at byte %d", i)
		}
	}
	return nil
}

// checkValue rejects values Secrets Manager would refuse; the message never quotes the value.
func checkValue(v string) error {
	switch {
	case v == "":
		return errors.New("the secret value is empty")
	case len(v) > MaxValueBytes:
		return fmt.Errorf("the secret value is %d bytes, more than the %d allowed", len(v), MaxValueBytes)
	}
	return nil
}
