package api

import (
	"context"
	"net/http"

	"verigate/internal/partner"
)

// The shapes most operations share: a body in, an object out; an object
// named by the path's {id} out; an object named by {id} deleted.

// withBody decodes the request body into an In, calls op with it for the
// caller and answers op's result (200).
func withBody[In, V any](w http.ResponseWriter, r *http.Request, op func(context.Context, partner.Principal, In) (V, error)) error {
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := op(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// byID calls op for the caller on the object the path's {id} names and
// answers op's result (200); an id that is not a UUID names nothing (404).
func byID[V any](w http.ResponseWriter, r *http.Request, op func(context.Context, partner.Principal, string) (V, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	out, err := op(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deleteByID deletes, for the caller, the object the path's {id} names and
// answers 204 with no body.
func deleteByID(w http.ResponseWriter, r *http.Request, del func(context.Context, partner.Principal, string) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := del(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateByID decodes the request body into an In, applies it for the
// caller to the object the path's {id} names and answers op's result (200).
func updateByID[In, V any](w http.ResponseWriter, r *http.Request, op func(context.Context, partner.Principal, string, In) (V, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := op(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
