// Package items answers the item catalog of a tenant's environment: the
// items of every data source the environment has (payroll employers and
// platforms, gig platforms, ...), searched and filtered, and the tenants'
// saved item filters.
package items

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/logo"
	"verigate/internal/store"
)

// Kinds are the item kinds the items API lists; other kinds a connector's
// catalog may hold (a bank connector's institutions, kind "bank") are served
// by APIs of their own.
var Kinds = []string{datasource.KindEmployer, datasource.KindGig, datasource.KindPlatform, datasource.KindBenefits}

// Statuses are the items' health statuses.
var Statuses = []string{datasource.StatusHealthy, datasource.StatusIssues, datasource.StatusUnavailable}

// MappingStatuses are the items' mapping statuses.
var MappingStatuses = []string{datasource.MappingVerified, datasource.MappingMapped, datasource.MappingUnmapped}

// Service searches the catalogs of an environment's connectors and keeps
// item filters.
type Service struct {
	// Connectors serves each environment's data sources; every connector
	// of an environment contributes its catalog.
	Connectors datasource.Registry
	Store      FilterStore
	Now        func() time.Time
	// LogoBase is the public URL the paths of drawn tiles are joined to: an
	// item whose data source gives no logo gets its tile's URL (package
	// logo) as its logo_url. Empty leaves such items without one.
	LogoBase string
}

// withLogo gives an item without a logo its drawn tile's URL.
func (s *Service) withLogo(it datasource.Item) datasource.Item {
	if it.LogoURL == "" && s.LogoBase != "" {
		if p := logo.Path(it.Name); p != "" {
			it.LogoURL = s.LogoBase + p
		}
	}
	return it
}

// Query selects items; empty fields select everything.
type Query struct {
	// Q is the free-text search.
	Q string
	// IDs, Kinds, Statuses and Mappings each keep items with one of their values.
	IDs, Kinds, Statuses, Mappings []string
	// MinScore keeps items whose matching score is at least this (with Q).
	MinScore *float64
	// FilterSet names one of the tenant's item filters to apply.
	FilterSet string
}

// sourceOrder ranks data sources in listings: payroll items first, then
// gig platforms, then any other source by name.
var sourceOrder = map[string]int{"payroll": 0, "gig": 1}

// catalogs returns the catalogs of env's connectors, payroll first.
func (s *Service) catalogs(env store.Environment) []datasource.Catalog {
	var m map[string]datasource.Connector
	switch string(env) {
	case datasource.EnvSandbox:
		m = s.Connectors.Sandbox
	case datasource.EnvProduction:
		m = s.Connectors.Production
	}
	names := make([]string, 0, len(m))
	for name, c := range m {
		if c != nil {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		ri, iok := sourceOrder[names[i]]
		rj, jok := sourceOrder[names[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return names[i] < names[j]
	})
	out := make([]datasource.Catalog, len(names))
	for i, name := range names {
		out[i] = m[name].Catalog()
	}
	return out
}

func listed(it datasource.Item) bool { return slices.Contains(Kinds, it.Kind) }

// Get returns an item of the environment, with its features.
func (s *Service) Get(env store.Environment, id string) (datasource.Item, error) {
	for _, c := range s.catalogs(env) {
		if it, ok := c.Get(id); ok && listed(it) {
			return s.withLogo(it), nil
		}
	}
	return datasource.Item{}, store.ErrNotFound
}

// Has reports whether the environment has an item with this id.
func (s *Service) Has(env store.Environment, id string) bool {
	_, err := s.Get(env, id)
	return err == nil
}

// List returns every item of the tenant's environment that q selects: in
// popularity order without a search, else best matches first.
func (s *Service) List(ctx context.Context, sc store.Scope, q Query) ([]datasource.Item, error) {
	var cond *compiled
	if q.FilterSet != "" {
		f, err := s.Store.ItemFilter(ctx, sc, q.FilterSet)
		if err != nil {
			return nil, err
		}
		if cond, err = compileStored(f.Filters); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	var out []datasource.Item
	for _, c := range s.catalogs(sc.Environment) {
		for _, it := range c.Search(q.Q, 0, q.IDs) {
			if seen[it.ID] || !listed(it) {
				continue
			}
			seen[it.ID] = true
			if !keep(q.Kinds, it.Kind) || !keep(q.Statuses, it.Status) || !keep(q.Mappings, it.MappingStatus) {
				continue
			}
			if q.MinScore != nil {
				score, _ := strconv.ParseFloat(it.MatchingScore, 64)
				if score < *q.MinScore {
					continue
				}
			}
			if cond != nil {
				full, _ := c.Get(it.ID)
				if !cond.match(full) {
					continue
				}
			}
			out = append(out, s.withLogo(it))
		}
	}
	if q.Q != "" {
		// Each catalog ranks its own matches; merge them the same way:
		// whole-name matches (score 0.50 and up) first, then by name.
		rank := func(it datasource.Item) int {
			if it.MatchingScore >= "0.50" {
				return 0
			}
			return 1
		}
		slices.SortStableFunc(out, func(a, b datasource.Item) int {
			if ra, rb := rank(a), rank(b); ra != rb {
				return ra - rb
			}
			if n := strings.Compare(datasource.Fold(a.Name), datasource.Fold(b.Name)); n != 0 {
				return n
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	return out, nil
}

func keep(values []string, v string) bool { return len(values) == 0 || slices.Contains(values, v) }

// Employer is an item as employer search shows it (the Employer schema).
type Employer struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	LogoURL       string `json:"logo_url"`
	Kind          string `json:"kind"`
	MappingStatus string `json:"mapping_status"`
	Status        string `json:"status"`
}

// EmployerOf renders an item as an employer search result.
func EmployerOf(it datasource.Item) Employer {
	return Employer{ID: it.ID, Name: it.Name, LogoURL: it.LogoURL, Kind: it.Kind, MappingStatus: it.MappingStatus, Status: it.Status}
}
