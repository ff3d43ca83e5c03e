package storetest

import (
	"sync"
	"testing"

	"verigate/internal/store"
)

// partnerTests are the first-start tests Run includes.
var partnerTests = []struct {
	name string
	fn   func(t *testing.T, s store.Store)
}{
	{"CreateFirstPartner", testCreateFirstPartner},
}

func testCreateFirstPartner(t *testing.T, s store.Store) {
	// Several processes starting on an empty database make one first partner.
	var wg sync.WaitGroup
	results := make(chan bool, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := store.Partner{ID: store.NewID(), Name: "first", CreatedAt: at(i)}
			c := store.Client{ID: store.NewID(), PartnerID: p.ID, Name: "c", CreatedAt: at(i)}
			k := store.APIKey{ID: store.NewID(), PartnerID: p.ID, ClientID: c.ID, Name: "k", Environment: store.Sandbox, SecretHash: []byte{1}, CreatedAt: at(i)}
			created, err := s.CreateFirstPartner(ctx(t), p, c, k)
			if err != nil {
				t.Errorf("CreateFirstPartner: %v", err)
			}
			results <- created
		}(i)
	}
	wg.Wait()
	close(results)
	n := 0
	for created := range results {
		if created {
			n++
		}
	}
	count, err := s.CountPartners(ctx(t))
	must(t, "CountPartners", err)
	if n != 1 || count != 1 {
		t.Fatalf("%d calls created a partner and %d partners exist; want 1 and 1", n, count)
	}
}
