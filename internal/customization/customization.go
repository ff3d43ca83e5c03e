// Package customization keeps partners' customizations of the connection
// experience: payroll flows (a session's flow_id) and banking experiences (a
// session's experience) with brand name, logo, accent colour, introduction
// text per language, the items or institutions offered, and the origins
// allowed to frame the pages.
package customization

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"verigate/internal/partner"
	"verigate/internal/store"
	v "verigate/internal/validate"
)

// Errors of the service.
var (
	// ErrSample means a built-in sample customization was to be changed.
	ErrSample = errors.New("customization: the sample customizations are read-only")
	// ErrLogo means an uploaded logo is not an accepted image.
	ErrLogo = errors.New("customization: logo must be a PNG, JPEG, GIF or WebP image of at most 256 KiB")
)

// MaxLogo is the largest logo accepted, in bytes.
const MaxLogo = 256 << 10

// Sample ids: every sandbox partner has a flow and an experience with the
// ids the contract's session examples use, so those examples work as sent.
const (
	SampleFlow       = "12ABCD3E"
	SampleExperience = "97f1eccb-241d-4052-8409-fab9e27a589b"
)

// Languages an introduction text may be given in.
var Languages = []string{"EN", "ES", "RU", "ZH"}

// Input is the body of a create or update request.
type Input struct {
	ID           v.Opt[string]            `json:"id"`
	Name         v.Opt[string]            `json:"name"`
	BrandName    v.Opt[string]            `json:"brand_name"`
	AccentColor  v.Opt[string]            `json:"accent_color"`
	Intro        v.Opt[map[string]string] `json:"intro"`
	Items        v.Opt[[]string]          `json:"items"`
	Institutions v.Opt[[]string]          `json:"institutions"`
	FrameOrigins v.Opt[[]string]          `json:"frame_origins"`
}

// View is a customization as the API returns it.
type View struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	BrandName    string            `json:"brand_name"`
	AccentColor  *string           `json:"accent_color"`
	Intro        map[string]string `json:"intro"`
	Items        *[]string         `json:"items,omitempty"`
	Institutions *[]string         `json:"institutions,omitempty"`
	FrameOrigins []string          `json:"frame_origins"`
	HasLogo      bool              `json:"has_logo"`
	Sample       bool              `json:"sample"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
}

// Store is the storage customizations need.
type Store interface {
	CreateCustomization(ctx context.Context, c store.Customization) error
	Customization(ctx context.Context, s store.Scope, kind, id string) (store.Customization, error)
	Customizations(ctx context.Context, s store.Scope, kind string) ([]store.Customization, error)
	UpdateCustomization(ctx context.Context, c store.Customization) error
	DeleteCustomization(ctx context.Context, s store.Scope, kind, id string) error
}

// Service manages customizations and answers the lookups sessions and pages make.
type Service struct {
	Store Store
	Now   func() time.Time

	cache sync.Map // cacheKey → cached
}

type cacheKey struct {
	scope    store.Scope
	kind, id string
}

type cached struct {
	c      store.Customization
	err    error
	expiry time.Time
}

// cacheTTL bounds how long a lookup is answered from memory; changes made
// through this Service drop the entry at once.
const cacheTTL = 5 * time.Second

var (
	flowIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	colorRE  = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// ValidID reports whether id can name a customization of kind.
func ValidID(kind, id string) bool {
	if kind == store.CustomizationExperience {
		return v.IsUUID(id)
	}
	return flowIDRE.MatchString(id)
}

func normID(kind, id string) string {
	if kind == store.CustomizationExperience {
		return strings.ToLower(id)
	}
	return id
}

// sample returns the built-in sample of kind for a sandbox scope.
func sample(sc store.Scope, kind, id string) (store.Customization, bool) {
	if sc.Environment != store.Sandbox {
		return store.Customization{}, false
	}
	switch {
	case kind == store.CustomizationFlow && id == SampleFlow, kind == store.CustomizationExperience && id == SampleExperience:
	default:
		return store.Customization{}, false
	}
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return store.Customization{ID: id, Kind: kind, PartnerID: sc.PartnerID, Environment: sc.Environment, Name: "Sample " + kind,
		BrandName: "Sample Lender", Intro: map[string]string{}, CreatedAt: epoch, UpdatedAt: epoch}, true
}

// Lookup returns the customization a session names, from memory when fresh.
func (s *Service) Lookup(ctx context.Context, sc store.Scope, kind, id string) (store.Customization, error) {
	id = normID(kind, id)
	key := cacheKey{sc, kind, id}
	now := s.Now()
	if c, ok := s.cache.Load(key); ok && now.Before(c.(cached).expiry) {
		return c.(cached).c, c.(cached).err
	}
	c, err := s.Store.Customization(ctx, sc, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		if smp, ok := sample(sc, kind, id); ok {
			c, err = smp, nil
		}
	}
	if err == nil || errors.Is(err, store.ErrNotFound) {
		s.cache.Store(key, cached{c: c, err: err, expiry: now.Add(cacheTTL)})
	}
	return c, err
}

func (s *Service) forget(sc store.Scope, kind, id string) { s.cache.Delete(cacheKey{sc, kind, id}) }

// Create validates in and stores a customization of kind for p.
func (s *Service) Create(ctx context.Context, p partner.Principal, kind string, in Input) (View, error) {
	now := s.Now().UTC().Truncate(time.Millisecond)
	c := store.Customization{Kind: kind, PartnerID: p.PartnerID, Environment: p.Environment, Intro: map[string]string{},
		CreatedAt: now, UpdatedAt: now}
	errs := v.Errors{}
	if v.NotNull(errs, "id", in.ID) {
		if !ValidID(kind, in.ID.V) {
			if kind == store.CustomizationExperience {
				errs.Add("id", v.MsgUUID)
			} else {
				errs.Add("id", "Use 1 to 64 letters, digits, '_' or '-'.")
			}
		}
		c.ID = normID(kind, in.ID.V)
	} else if kind == store.CustomizationExperience {
		c.ID = store.NewID()
	} else {
		c.ID = newFlowID()
	}
	v.Required(errs, "name", in.Name)
	apply(errs, &c, kind, in)
	if err := errs.Err(); err != nil {
		return View{}, err
	}
	// A partner may shadow a sample with its own customization of the same id.
	err := s.Store.CreateCustomization(ctx, c)
	if errors.Is(err, store.ErrDuplicate) {
		return View{}, v.Field("id", "A "+kind+" with this id already exists.")
	}
	if err != nil {
		return View{}, fmt.Errorf("create %s: %w", kind, err)
	}
	s.forget(p.Scope(), kind, c.ID)
	return Render(c, false), nil
}

// Update applies the fields present in in.
func (s *Service) Update(ctx context.Context, p partner.Principal, kind, id string, in Input) (View, error) {
	return s.change(ctx, p, kind, id, func(c *store.Customization) error {
		errs := v.Errors{}
		if in.ID.Set {
			errs.Add("id", "The id cannot be changed.")
		}
		if in.Name.Set {
			v.NotNull(errs, "name", in.Name)
		}
		apply(errs, c, kind, in)
		return errs.Err()
	})
}

// SetLogo stores an uploaded logo, or removes it when img is nil.
func (s *Service) SetLogo(ctx context.Context, p partner.Principal, kind, id string, img []byte) (View, error) {
	return s.change(ctx, p, kind, id, func(c *store.Customization) error {
		if img == nil {
			c.Logo, c.LogoType = "", ""
			return nil
		}
		typ := sniffImage(img)
		if typ == "" || len(img) > MaxLogo {
			return fmt.Errorf("%w: %w", ErrLogo, v.Field("logo", "Upload a PNG, JPEG, GIF or WebP image of at most 256 KiB."))
		}
		c.Logo, c.LogoType = base64.StdEncoding.EncodeToString(img), typ
		return nil
	})
}

func (s *Service) change(ctx context.Context, p partner.Principal, kind, id string, fn func(c *store.Customization) error) (View, error) {
	id = normID(kind, id)
	for {
		c, err := s.Store.Customization(ctx, p.Scope(), kind, id)
		if errors.Is(err, store.ErrNotFound) {
			if _, ok := sample(p.Scope(), kind, id); ok {
				return View{}, ErrSample
			}
		}
		if err != nil {
			return View{}, err
		}
		if err := fn(&c); err != nil {
			return View{}, err
		}
		c.UpdatedAt = s.Now().UTC().Truncate(time.Millisecond)
		err = s.Store.UpdateCustomization(ctx, c)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return View{}, fmt.Errorf("update %s: %w", kind, err)
		}
		s.forget(p.Scope(), kind, id)
		return Render(c, false), nil
	}
}

// Get returns one of p's customizations (or the sandbox sample).
func (s *Service) Get(ctx context.Context, p partner.Principal, kind, id string) (View, error) {
	id = normID(kind, id)
	c, err := s.Store.Customization(ctx, p.Scope(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		if smp, ok := sample(p.Scope(), kind, id); ok {
			return Render(smp, true), nil
		}
	}
	if err != nil {
		return View{}, err
	}
	return Render(c, false), nil
}

// List returns p's customizations of kind, newest first, then the sandbox sample.
func (s *Service) List(ctx context.Context, p partner.Principal, kind string) ([]View, error) {
	cs, err := s.Store.Customizations(ctx, p.Scope(), kind)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(cs)+1)
	shadowed := false
	for _, c := range cs {
		out = append(out, Render(c, false))
		shadowed = shadowed || c.ID == SampleFlow || c.ID == SampleExperience
	}
	sampleID := SampleFlow
	if kind == store.CustomizationExperience {
		sampleID = SampleExperience
	}
	if smp, ok := sample(p.Scope(), kind, sampleID); ok && !shadowed {
		out = append(out, Render(smp, true))
	}
	return out, nil
}

// Delete removes one of p's customizations.
func (s *Service) Delete(ctx context.Context, p partner.Principal, kind, id string) error {
	id = normID(kind, id)
	err := s.Store.DeleteCustomization(ctx, p.Scope(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		if _, ok := sample(p.Scope(), kind, id); ok {
			return ErrSample
		}
	}
	s.forget(p.Scope(), kind, id)
	return err
}

// Render returns the API view of a customization.
func Render(c store.Customization, isSample bool) View {
	out := View{ID: c.ID, Name: c.Name, BrandName: c.BrandName, Intro: c.Intro, FrameOrigins: c.FrameOrigins,
		HasLogo: c.Logo != "", Sample: isSample,
		CreatedAt: c.CreatedAt.UTC().Format(partner.TimeFormat), UpdatedAt: c.UpdatedAt.UTC().Format(partner.TimeFormat)}
	if out.Intro == nil {
		out.Intro = map[string]string{}
	}
	if out.FrameOrigins == nil {
		out.FrameOrigins = []string{}
	}
	if c.AccentColor != "" {
		out.AccentColor = &c.AccentColor
	}
	allowed := c.Allowed
	if allowed == nil {
		allowed = []string{}
	}
	if c.Kind == store.CustomizationExperience {
		out.Institutions = &allowed
	} else {
		out.Items = &allowed
	}
	return out
}

// apply validates the present fields of in onto c.
func apply(errs v.Errors, c *store.Customization, kind string, in Input) {
	str := func(field string, o v.Opt[string], max int, dst *string) {
		if !v.NotNull(errs, field, o) {
			return
		}
		t := strings.TrimSpace(o.V)
		if t == "" {
			errs.Add(field, v.MsgBlank)
			return
		}
		v.MaxLen(errs, field, t, max)
		*dst = t
	}
	str("name", in.Name, 100, &c.Name)
	if in.BrandName.Null {
		c.BrandName = ""
	} else {
		str("brand_name", in.BrandName, 60, &c.BrandName)
	}
	if in.AccentColor.Null {
		c.AccentColor = ""
	} else if in.AccentColor.Set {
		col := strings.ToLower(strings.TrimSpace(in.AccentColor.V))
		switch {
		case !colorRE.MatchString(col):
			errs.Add("accent_color", "Use a hex colour like #1f5eff.")
		case Contrast(col, "#ffffff") < 4.5:
			errs.Add("accent_color", fmt.Sprintf("White text on %s has a contrast of %.2f:1; use a darker colour (at least 4.5:1).", col, Contrast(col, "#ffffff")))
		default:
			c.AccentColor = col
		}
	}
	if v.NotNull(errs, "intro", in.Intro) {
		intro := map[string]string{}
		for lang, text := range in.Intro.V {
			if !contains(Languages, lang) {
				errs.Add("intro", v.Choice(lang))
				continue
			}
			text = strings.TrimSpace(text)
			v.MaxLen(errs, "intro."+lang, text, 500)
			if text != "" {
				intro[lang] = text
			}
		}
		c.Intro = intro
	}
	listField, other := "items", in.Institutions
	list := in.Items
	if kind == store.CustomizationExperience {
		listField, list, other = "institutions", in.Institutions, in.Items
	}
	if other.Has() {
		errs.Add(map[string]string{"items": "institutions", "institutions": "items"}[listField], "Not used by a "+kind+"; use "+listField+".")
	}
	if v.NotNull(errs, listField, list) {
		var ids []string
		for _, id := range list.V {
			id = strings.TrimSpace(id)
			if id == "" {
				errs.Add(listField, "Ids may not be blank.")
				break
			}
			if !contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) > 200 {
			errs.Add(listField, "Ensure this field has no more than 200 elements.")
		}
		c.Allowed = ids
	}
	if v.NotNull(errs, "frame_origins", in.FrameOrigins) {
		var origins []string
		for _, o := range in.FrameOrigins.V {
			norm, ok := Origin(o)
			if !ok {
				errs.Add("frame_origins", fmt.Sprintf("%q is not an origin like https://app.partner.example.", o))
				continue
			}
			if !contains(origins, norm) {
				origins = append(origins, norm)
			}
		}
		if len(origins) > 20 {
			errs.Add("frame_origins", "Ensure this field has no more than 20 elements.")
		}
		c.FrameOrigins = origins
	}
}

// Origin normalises a web origin (scheme://host[:port]); ok is false for anything else.
func Origin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, " *;'\"") {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// Contrast returns the WCAG contrast ratio of two #rrggbb colours.
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	ch := func(i int) float64 {
		n, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		c := float64(n) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(1) + 0.7152*ch(3) + 0.0722*ch(5)
}

// sniffImage returns the content type of a PNG, JPEG, GIF or WebP image, or "".
func sniffImage(b []byte) string {
	switch {
	case len(b) > 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) > 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return "image/gif"
	case len(b) > 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// Logo decodes a customization's logo.
func Logo(c store.Customization) ([]byte, string, bool) {
	if c.Logo == "" {
		return nil, "", false
	}
	b, err := base64.StdEncoding.DecodeString(c.Logo)
	return b, c.LogoType, err == nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newFlowID returns an 8-character flow code like the contract's "12ABCD3E".
func newFlowID() string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	id := store.NewID()
	raw := strings.ReplaceAll(id, "-", "")
	out := make([]byte, 8)
	for i := range out {
		n, _ := strconv.ParseUint(raw[len(raw)-2*(i+1):len(raw)-2*i], 16, 8)
		out[i] = alphabet[int(n)%len(alphabet)]
	}
	return string(out)
}
