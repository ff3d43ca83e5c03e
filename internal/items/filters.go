package items

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"verigate/internal/datasource"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// FilterStore is the storage item filters need.
type FilterStore interface {
	CreateItemFilter(ctx context.Context, f store.ItemFilter) error
	ItemFilter(ctx context.Context, sc store.Scope, id string) (store.ItemFilter, error)
	ListItemFilters(ctx context.Context, sc store.Scope, p store.Page) ([]store.ItemFilter, error)
	UpdateItemFilter(ctx context.Context, f store.ItemFilter) error
	DeleteItemFilter(ctx context.Context, sc store.Scope, id string) error
}

// DataSets are the data sets an item's field_coverage describes.
var DataSets = []string{"identities", "paystubs", "payroll_documents", "deposit_destinations", "shifts", "gigs", "vehicles", "ratings"}

// FilterInput is the body that creates or replaces an item filter.
type FilterInput struct {
	Name    v.Opt[string]          `json:"name"`
	Filters v.Opt[json.RawMessage] `json:"filters"`
}

// FilterView is an item filter as the API shows it.
type FilterView struct {
	ID      string          `json:"id"`
	Name    string          `json:"name"`
	Filters json.RawMessage `json:"filters"`
}

// FilterViewOf renders a stored item filter.
func FilterViewOf(f store.ItemFilter) FilterView {
	return FilterView{ID: f.ID, Name: f.Name, Filters: f.Filters}
}

// compiled is an item filter ready to test items: the status an item must
// have ("" for any) and, per field_coverage path ("paystubs.gross_pay"),
// whether the field must be supported.
type compiled struct {
	status   string
	coverage map[string]map[string]bool
}

func (c *compiled) match(it datasource.Item) bool {
	if c.status != "" && it.Status != c.status {
		return false
	}
	for set, fields := range c.coverage {
		for field, want := range fields {
			got := false
			if it.Features != nil {
				got = it.Features.FieldCoverage[set][field].Supported
			}
			if got != want {
				return false
			}
		}
	}
	return true
}

// validateFilters checks an item filter's filters object, reporting errors
// under field "filters...", and returns it compiled.
func validateFilters(errs v.Errors, raw json.RawMessage) *compiled {
	c := &compiled{coverage: map[string]map[string]bool{}}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		errs.Add("filters", "Expected an object.")
		return nil
	}
	for _, key := range sortedKeys(top) {
		val := top[key]
		switch key {
		case "status":
			var op map[string]json.RawMessage
			var eq string
			if json.Unmarshal(val, &op) != nil || len(op) != 1 || op["eq"] == nil || json.Unmarshal(op["eq"], &eq) != nil {
				errs.Add("filters.status", `Expected {"eq": "<status>"}.`)
				continue
			}
			if !slices.Contains(Statuses, eq) {
				errs.Add("filters.status.eq", v.Choice(eq))
				continue
			}
			c.status = eq
		case "field_coverage":
			var sets map[string]json.RawMessage
			if json.Unmarshal(val, &sets) != nil || sets == nil {
				errs.Add("filters.field_coverage", "Expected an object.")
				continue
			}
			for _, set := range sortedKeys(sets) {
				path := "filters.field_coverage." + set
				if !slices.Contains(DataSets, set) {
					errs.Add(path, fmt.Sprintf("Unknown data set; use one of %s.", strings.Join(DataSets, ", ")))
					continue
				}
				fields := map[string]bool{}
				coverageFields(errs, path, "", sets[set], fields)
				c.coverage[set] = fields
			}
		default:
			errs.Add("filters."+key, "Unknown filter; use status or field_coverage.")
		}
	}
	return c
}

// coverageFields reads the fields of one data set: {"<field>": {"supported":
// {"eq": true}}}, {"<field>": {"supported": true}}, or a group of fields
// ({"paystub_period": {"start_date": {...}}}) whose names join with dots.
func coverageFields(errs v.Errors, path, prefix string, raw json.RawMessage, out map[string]bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || len(fields) == 0 {
		errs.Add(path, "Expected an object of fields.")
		return
	}
	for _, name := range sortedKeys(fields) {
		p := path + "." + name
		var node map[string]json.RawMessage
		if json.Unmarshal(fields[name], &node) != nil || len(node) == 0 {
			errs.Add(p, `Expected {"supported": {"eq": true|false}}.`)
			continue
		}
		sup, leaf := node["supported"]
		if !leaf {
			coverageFields(errs, p, prefix+name+".", fields[name], out)
			continue
		}
		var b bool
		var op map[string]json.RawMessage
		switch {
		case len(node) != 1:
			errs.Add(p, `Expected {"supported": {"eq": true|false}}.`)
		case json.Unmarshal(sup, &b) == nil:
			out[prefix+name] = b
		case json.Unmarshal(sup, &op) == nil && len(op) == 1 && op["eq"] != nil && json.Unmarshal(op["eq"], &b) == nil:
			out[prefix+name] = b
		default:
			errs.Add(p+".supported", `Expected true, false or {"eq": true|false}; supported is a boolean, so only eq applies.`)
		}
	}
}

func compileStored(raw json.RawMessage) (*compiled, error) {
	errs := v.Errors{}
	c := validateFilters(errs, raw)
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("stored item filter: %w", err)
	}
	return c, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validateInput checks a create or replace body and returns the name and
// the filters to store ({} when none were sent).
func validateInput(in FilterInput) (string, json.RawMessage, error) {
	errs := v.Errors{}
	name := ""
	if v.Required(errs, "name", in.Name) {
		name = strings.TrimSpace(in.Name.V)
		if name == "" {
			errs.Add("name", v.MsgBlank)
		}
		v.MaxLen(errs, "name", name, 200)
	}
	filters := json.RawMessage(`{}`)
	if v.NotNull(errs, "filters", in.Filters) {
		validateFilters(errs, in.Filters.V)
		var buf bytes.Buffer
		if json.Compact(&buf, in.Filters.V) == nil {
			filters = buf.Bytes()
		}
	}
	return name, filters, errs.Err()
}

// CreateFilter validates and stores a new item filter of p's tenant.
func (s *Service) CreateFilter(ctx context.Context, sc store.Scope, in FilterInput) (FilterView, error) {
	name, filters, err := validateInput(in)
	if err != nil {
		return FilterView{}, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	f := store.ItemFilter{ID: store.NewID(), PartnerID: sc.PartnerID, Environment: sc.Environment, Name: name, Filters: filters,
		CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateItemFilter(ctx, f); err != nil {
		return FilterView{}, fmt.Errorf("create item filter: %w", err)
	}
	return FilterViewOf(f), nil
}

// Filter returns an item filter of the tenant.
func (s *Service) Filter(ctx context.Context, sc store.Scope, id string) (FilterView, error) {
	f, err := s.Store.ItemFilter(ctx, sc, id)
	if err != nil {
		return FilterView{}, err
	}
	return FilterViewOf(f), nil
}

// Filters returns one page of the tenant's item filters, newest first.
func (s *Service) Filters(ctx context.Context, sc store.Scope, p store.Page) ([]store.ItemFilter, error) {
	return s.Store.ListItemFilters(ctx, sc, p)
}

// ReplaceFilter replaces the name and filters of an item filter; its id
// stays.
func (s *Service) ReplaceFilter(ctx context.Context, sc store.Scope, id string, in FilterInput) (FilterView, error) {
	name, filters, err := validateInput(in)
	if err != nil {
		return FilterView{}, err
	}
	for {
		f, err := s.Store.ItemFilter(ctx, sc, id)
		if err != nil {
			return FilterView{}, err
		}
		f.Name, f.Filters, f.UpdatedAt = name, filters, s.Now().UTC().Truncate(time.Millisecond)
		err = s.Store.UpdateItemFilter(ctx, f)
		if errors.Is(err, store.ErrConflict) {
			continue // changed or deleted under us: read again
		}
		if err != nil {
			return FilterView{}, fmt.Errorf("replace item filter: %w", err)
		}
		return FilterViewOf(f), nil
	}
}

// DeleteFilter removes an item filter of the tenant.
func (s *Service) DeleteFilter(ctx context.Context, sc store.Scope, id string) error {
	return s.Store.DeleteItemFilter(ctx, sc, id)
}
