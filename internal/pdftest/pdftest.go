// Package pdftest reads back the PDFs verigate generates, for tests: it
// parses and validates a document with pdfcpu and extracts the text its
// pages show.
package pdftest

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/text/encoding/charmap"
)

func init() { api.DisableConfigDir() }

// Doc is a parsed PDF.
type Doc struct {
	// Pages holds each page's text, one shown string per line.
	Pages []string
	// Title is the document information's title.
	Title string
}

// Text returns all pages' text.
func (d Doc) Text() string { return strings.Join(d.Pages, "\n") }

// Read parses and validates a PDF and extracts its text.
func Read(b []byte) (Doc, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	ctx, err := api.ReadAndValidate(bytes.NewReader(b), conf)
	if err != nil {
		return Doc{}, fmt.Errorf("pdftest: %w", err)
	}
	d := Doc{Title: ctx.Title}
	for i := 1; i <= ctx.PageCount; i++ {
		r, err := pdfcpu.ExtractPageContent(ctx, i)
		if err != nil {
			return Doc{}, fmt.Errorf("pdftest: page %d: %w", i, err)
		}
		content, err := io.ReadAll(r)
		if err != nil {
			return Doc{}, err
		}
		d.Pages = append(d.Pages, strings.Join(shown(content), "\n"))
	}
	return d, nil
}

// shown returns the literal strings of a content stream's text-showing
// operators, decoded from WinAnsi (the core fonts' encoding).
func shown(content []byte) []string {
	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		var s []byte
		depth := 1
		j := i + 1
		for ; j < len(content) && depth > 0; j++ {
			c := content[j]
			switch c {
			case '\\':
				j++
				if j < len(content) {
					switch e := content[j]; e {
					case 'n':
						s = append(s, '\n')
					case 'r':
						s = append(s, '\r')
					case 't':
						s = append(s, '\t')
					default:
						s = append(s, e)
					}
				}
				continue
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					continue
				}
			}
			s = append(s, c)
		}
		rest := strings.TrimSpace(string(content[j:min(len(content), j+8)]))
		if strings.HasPrefix(rest, "Tj") || strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "\"") {
			dec, err := charmap.Windows1252.NewDecoder().Bytes(s)
			if err != nil {
				dec = s
			}
			out = append(out, string(dec))
		}
		i = j - 1
	}
	return out
}
