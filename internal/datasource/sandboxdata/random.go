package sandboxdata

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"

	"verigate/internal/value"
)

// pct returns m times ppm parts per million, rounded half away from zero.
func pct(m money, ppm int64) money { return Percent(m, ppm) }

// Percent returns m times ppm parts per million, rounded half away from zero.
func Percent(m value.Money, ppm int64) value.Money {
	return RoundDiv(int64(m)*ppm, 1000000)
}

// RoundDiv returns a/b rounded half away from zero, for b > 0.
func RoundDiv(a, b int64) money {
	if a < 0 {
		return -money((-a + b/2) / b)
	}
	return money((a + b/2) / b)
}

// between returns a uniformly random value in [lo, hi].
func between[T ~int64](r *rand.Rand, lo, hi T) T { return Between(r, lo, hi) }

// Between returns a uniformly random value in [lo, hi].
func Between[T ~int64](r *rand.Rand, lo, hi T) T {
	if hi <= lo {
		return lo
	}
	return lo + T(r.Int64N(int64(hi-lo)+1))
}

// Digest hashes parts (SHA-256, each part NUL-terminated).
func Digest(parts ...string) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// rngFor returns a PCG generator seeded from a hash of parts.
func rngFor(parts ...string) *rand.Rand { return RandFor(parts...) }

// RandFor returns a PCG generator seeded from a hash of parts, so that the
// same parts always give the same sequence.
func RandFor(parts ...string) *rand.Rand {
	d := Digest(parts...)
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(d[:8]), binary.LittleEndian.Uint64(d[8:16])))
}

// uuidFor returns a stable UUID (version 8, name-based on SHA-256) for parts.
func uuidFor(parts ...string) string { return UUIDFor(parts...) }

// UUIDFor returns a stable UUID (version 8, name-based on SHA-256) for parts.
func UUIDFor(parts ...string) string {
	d := Digest(parts...)
	d[6] = d[6]&0x0f | 0x80
	d[8] = d[8]&0x3f | 0x80
	h := hex.EncodeToString(d[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
