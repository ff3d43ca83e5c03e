package datasource

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// StaticCatalog is an in-memory [Catalog] over a fixed list of items; it is
// safe for concurrent use.
type StaticCatalog struct {
	items  []Item // popularity order
	folded []string
	byID   map[string]int
}

var _ Catalog = (*StaticCatalog)(nil)

// NewStaticCatalog returns a catalog of items, which it copies; their order is
// the popularity order used for empty searches. It panics on a duplicate or
// empty id, which is a programming error.
func NewStaticCatalog(items []Item) *StaticCatalog {
	c := &StaticCatalog{
		items:  slices.Clone(items),
		folded: make([]string, len(items)),
		byID:   make(map[string]int, len(items)),
	}
	for i, it := range c.items {
		if _, dup := c.byID[it.ID]; dup || it.ID == "" {
			panic(fmt.Sprintf("connector: duplicate or empty item id %q", it.ID))
		}
		c.byID[it.ID] = i
		c.folded[i] = Fold(it.Name)
	}
	return c
}

// Len returns the number of items in the catalog.
func (c *StaticCatalog) Len() int { return len(c.items) }

// Has reports whether the catalog holds an item with the given id.
func (c *StaticCatalog) Has(id string) bool {
	_, ok := c.byID[id]
	return ok
}

// Get returns a copy of the item with the given id, Features included.
func (c *StaticCatalog) Get(id string) (Item, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Item{}, false
	}
	it := c.items[i]
	if it.Features != nil {
		f := *it.Features
		f.FieldCoverage = make(map[string]map[string]FieldSupport, len(it.Features.FieldCoverage))
		for set, fields := range it.Features.FieldCoverage {
			f.FieldCoverage[set] = maps.Clone(fields)
		}
		it.Features = &f
	}
	return it, true
}

// Search implements [Catalog.Search]; results carry a MatchingScore when
// query is not empty and never carry Features.
func (c *StaticCatalog) Search(query string, limit int, only []string) []Item {
	var allowed map[string]bool
	if len(only) > 0 {
		allowed = make(map[string]bool, len(only))
		for _, id := range only {
			allowed[id] = true
		}
	}
	q := Fold(query)
	type hit struct {
		i, rank int
	}
	var hits []hit
	for i, it := range c.items {
		if allowed != nil && !allowed[it.ID] {
			continue
		}
		rank := matchRank(c.folded[i], q)
		if rank < 0 {
			continue
		}
		hits = append(hits, hit{i, rank})
	}
	if q != "" {
		slices.SortStableFunc(hits, func(a, b hit) int {
			if a.rank != b.rank {
				return a.rank - b.rank
			}
			if n := strings.Compare(c.folded[a.i], c.folded[b.i]); n != 0 {
				return n
			}
			return strings.Compare(c.items[a.i].ID, c.items[b.i].ID)
		})
	}
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]Item, len(hits))
	for k, h := range hits {
		it := c.items[h.i]
		it.Features = nil
		if q != "" {
			it.MatchingScore = matchingScore(c.folded[h.i], q, h.rank)
		}
		out[k] = it
	}
	return out
}

// MergeSearch merges the results of one Search (query, limit) on several
// catalogs into the order one catalog holding all their items would give:
// for an empty query the lists one after the other (popularity order,
// first catalog first), otherwise whole-name matches before word matches,
// each alphabetically. At most limit items are returned (all when limit <= 0).
func MergeSearch(query string, limit int, lists ...[]Item) []Item {
	var out []Item
	for _, l := range lists {
		out = append(out, l...)
	}
	if len(lists) > 1 && Fold(query) != "" {
		rank := func(it Item) int {
			if it.MatchingScore >= "0.50" {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(out, func(a, b Item) int {
			if ra, rb := rank(a), rank(b); ra != rb {
				return ra - rb
			}
			if n := strings.Compare(Fold(a.Name), Fold(b.Name)); n != 0 {
				return n
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []Item{}
	}
	return out
}

// matchRank returns 0 when name starts with q, 1 when the part of name
// starting at a later word starts with q, and -1 otherwise. Both arguments
// are folded; an empty q matches everything with rank 0.
func matchRank(name, q string) int {
	if strings.HasPrefix(name, q) {
		return 0
	}
	for i := 0; i < len(name); i++ {
		if name[i] == ' ' && strings.HasPrefix(name[i+1:], q) {
			return 1
		}
	}
	return -1
}

// matchingScore grades a match from "0.01" to "1.00": whole-name matches
// score 0.50 to 1.00 and word matches 0.01 to 0.49, growing with the share of
// the name the query covers (an exact name scores 1.00).
func matchingScore(name, q string, rank int) string {
	n, k := len([]rune(name)), len([]rune(q))
	var hundredths int
	if rank == 0 {
		hundredths = 50 + 50*k/n
	} else {
		hundredths = 1 + 48*k/n
	}
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

// Fold normalises a name or query for matching: it lower-cases, strips
// diacritics ("Café" → "cafe"), drops apostrophes ("Joe's" → "joes"), turns
// every other run of non-letters and non-digits into one space and trims.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	stripped, _, err := transform.String(t, s)
	if err != nil {
		stripped = s
	}
	var b strings.Builder
	space := false
	for _, r := range stripped {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}
