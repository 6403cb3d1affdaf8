package javafmt

import (
	"strconv"
	"time"
	_ "time/tzdata" // Java knows every zone; so must we, even where the system has no zoneinfo
)

// zoneInfo is what Java 17 says about a zone ID (see zonedata.go).
type zoneInfo struct {
	raw      int // current raw offset, ms
	daylight bool
	names    [4]string // short std, short dst, long std, long dst (en_US)
	str      string    // TimeZone.toString()
}

// Zone is a java.util.TimeZone: an ID, the rules of the tz database for it (through
// Go's time package) and Java's en_US display names. Zones are immutable.
type Zone struct {
	id     string
	loc    *time.Location
	info   *zoneInfo
	offset int // custom zones: fixed offset in ms
}

// Java's three-letter IDs that the tz database does not have, with the zone whose
// rules they use (ZoneInfoFile's old mappings), and the SystemV zones.
var zoneAliases = map[string]string{
	"ACT": "Australia/Darwin", "AET": "Australia/Sydney", "AGT": "America/Argentina/Buenos_Aires",
	"ART": "Africa/Cairo", "AST": "America/Anchorage", "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka",
	"CAT": "Africa/Harare", "CNT": "America/St_Johns", "CST": "America/Chicago", "CTT": "Asia/Shanghai",
	"EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris", "IET": "America/Indiana/Indianapolis",
	"IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "MIT": "Pacific/Apia", "NET": "Asia/Yerevan",
	"NST": "Pacific/Auckland", "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
	"PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
	"SystemV/AST4": "America/Puerto_Rico", "SystemV/AST4ADT": "America/Halifax",
	"SystemV/CST6": "America/Regina", "SystemV/CST6CDT": "America/Chicago",
	"SystemV/EST5": "America/Panama", "SystemV/EST5EDT": "America/New_York",
	"SystemV/HST10": "Pacific/Honolulu", "SystemV/MST7": "America/Phoenix",
	"SystemV/MST7MDT": "America/Denver", "SystemV/PST8": "Pacific/Pitcairn",
	"SystemV/PST8PDT": "America/Los_Angeles", "SystemV/YST9": "Pacific/Gambier",
	"SystemV/YST9YDT": "America/Anchorage",
}

var zoneCache = newCache[*Zone](128)

// UTC is TimeZone.getTimeZone("UTC").
var UTC = LoadZone("UTC")

// GMT is the zone Java falls back to for an ID it does not know.
var GMT = LoadZone("GMT")

// LoadZone returns TimeZone.getTimeZone(id): a zone of Java's database by its exact
// (case-sensitive) ID, a custom zone for "GMT+h", "GMT-hh:mm", "GMT+hhmm" (its ID
// normalized to "GMT+hh:mm"), and GMT for anything else.
func LoadZone(id string) *Zone {
	return zoneCache.get(id, loadZone)
}

func loadZone(id string) *Zone {
	if info, ok := javaZones[id]; ok {
		name := id
		if a, ok := zoneAliases[id]; ok {
			name = a
		}
		loc, err := time.LoadLocation(name)
		if err != nil { // not expected: fall back to the zone's current raw offset
			loc = time.FixedZone(id, info.raw/1000)
		}
		return &Zone{id: id, loc: loc, info: &info}
	}
	if off, ok := parseCustomZone(id); ok {
		return CustomZone(off)
	}
	return LoadZone("GMT")
}

// CustomZone returns the zone Java makes for a custom ID: a fixed offset (ms) with
// the ID "GMT+hh:mm".
func CustomZone(offsetMs int) *Zone {
	id := customID(offsetMs)
	return &Zone{id: id, loc: time.FixedZone(id, offsetMs/1000), offset: offsetMs}
}

// parseCustomZone is TimeZone.parseCustomTimeZone.
func parseCustomZone(id string) (int, bool) {
	if len(id) < 5 || id[:3] != "GMT" {
		return 0, false
	}
	i := 3
	negative := false
	switch id[i] {
	case '-':
		negative = true
	case '+':
	default:
		return 0, false
	}
	i++
	hours, num, delims, n := 0, 0, 0, 0
	for i < len(id) {
		c := id[i]
		i++
		if c == ':' {
			if delims > 0 || n > 2 {
				return 0, false
			}
			hours = num
			delims++
			num, n = 0, 0
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		num = num*10 + int(c-'0')
		n++
		if n > 9 {
			return 0, false // Java's int arithmetic would have overflowed into nonsense
		}
	}
	if delims == 0 {
		if n <= 2 {
			hours, num = num, 0
		} else {
			hours, num = num/100, num%100
		}
	} else if n != 2 {
		return 0, false
	}
	if hours > 23 || num > 59 {
		return 0, false
	}
	off := (hours*60 + num) * 60 * 1000
	if negative {
		off = -off
	}
	return off, true
}

// customID is ZoneInfoFile.toCustomID: "GMT+hh:mm".
func customID(offsetMs int) string {
	sign := byte('+')
	m := offsetMs / 60000
	if m < 0 {
		sign = '-'
		m = -m
	}
	b := []byte{'G', 'M', 'T', sign, byte('0' + m/60/10), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%60%10)}
	return string(b)
}

// ID returns the zone's ID as TimeZone.getID does.
func (z *Zone) ID() string { return z.id }

// Location returns the Go location with the zone's rules.
func (z *Zone) Location() *time.Location { return z.loc }

// RawOffset returns TimeZone.getRawOffset: the current standard offset in ms.
func (z *Zone) RawOffset() int {
	if z.info != nil {
		return z.info.raw
	}
	return z.offset
}

// javaZoneDataStart is 1900-01-01T00:00:00Z: Java's zone data starts there; before
// it every zone has its current raw offset and no DST (no local mean time).
const javaZoneDataStart = -2208988800000

// negativeDST lists the zones whose standard time the tz database's main data (which
// Go reads) marks as negative daylight saving time, while Java's rearguard data keeps
// a positive DST: for them Java's raw offset is the current one and DST is the rest.
var negativeDST = map[string]bool{
	"Europe/Dublin": true, "Eire": true, "Africa/Casablanca": true, "Africa/El_Aaiun": true,
}

// Offsets returns the zone's offsets at the instant ms, as Calendar's ZONE_OFFSET
// (standard) and DST_OFFSET (daylight saving) fields give them.
//
// Go gives the total offset and a daylight flag from the tz database; Java splits the
// total into raw and DST parts using its own data. A daylight period counts as DST of
// the difference to the zone's current raw offset when that is plausible (0 to 2
// hours, e.g. 30 minutes at Lord Howe), else of one hour.
func (z *Zone) Offsets(ms int64) (raw, dst int) {
	if z.info == nil {
		return z.offset, 0
	}
	if ms < javaZoneDataStart {
		return z.info.raw, 0
	}
	t := time.UnixMilli(ms).In(z.loc)
	_, off := t.Zone()
	total := off * 1000
	if negativeDST[z.id] {
		if d := total - z.info.raw; d > 0 && d <= 2*3600000 {
			return z.info.raw, d
		}
		return total, 0
	}
	if t.IsDST() {
		if d := total - z.info.raw; z.info.daylight && d > 0 && d <= 2*3600000 {
			return z.info.raw, d
		}
		return total - 3600000, 3600000
	}
	return total, 0
}

// Offset returns the total offset from UTC in ms at the instant ms.
func (z *Zone) Offset(ms int64) int {
	raw, dst := z.Offsets(ms)
	return raw + dst
}

// DisplayName returns TimeZone.getDisplayName(daylight, SHORT or LONG, Locale.US).
func (z *Zone) DisplayName(daylight, long bool) string {
	if z.info == nil {
		return z.id
	}
	i := 0
	if daylight {
		i = 1
	}
	if long {
		i += 2
	}
	return z.info.names[i]
}

// String returns TimeZone.toString() as Java 17 prints it.
func (z *Zone) String() string {
	if z.info != nil {
		return z.info.str
	}
	return "sun.util.calendar.ZoneInfo[id=\"" + z.id + "\",offset=" + strconv.Itoa(z.offset) +
		",dstSavings=0,useDaylight=false,transitions=0,lastRule=null]"
}
