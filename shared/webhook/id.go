package webhook

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
)

// ID prefixes, one per record kind, so an id says what it names.
const (
	PrefixWebhook   = "w_"
	PrefixConnector = "c_"
	PrefixContact   = "ct_"
	PrefixSegment   = "s_"
	PrefixEvent     = "e_"
	PrefixWorkflow  = "f_"
	PrefixRun       = "r_"
)

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns prefix followed by 26 characters: 48 bits of milliseconds since the
// epoch and 80 random bits in Crockford base32, so ids sort by creation time.
func NewID(prefix string, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("webhook: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	var sb strings.Builder
	sb.Grow(len(prefix) + 26)
	sb.WriteString(prefix)
	// 128 bits as 26 base32 digits (the first digit carries 3 bits).
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	sb.Write(out[:])
	return sb.String()
}
