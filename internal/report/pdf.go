package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Page layout, in millimetres on US Letter paper.
const (
	pageMargin   = 15.0
	bottomMargin = 18.0
	lineHeight   = 4.6
)

// doc is a report PDF under construction: every page has a header naming
// the report and a footer with its page number.
type doc struct {
	pdf *fpdf.Fpdf
	tr  func(string) string
	// width is the printable width.
	width float64
}

// headerInfo is what every page's header shows.
type headerInfo struct {
	Title  string
	Lines  []string // e.g. report id and generation time
	Fields [][2]string
	Footer string
}

func newDoc(h headerInfo, at time.Time) *doc {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetMargins(pageMargin, pageMargin, pageMargin)
	pdf.SetAutoPageBreak(true, bottomMargin)
	pdf.SetCreationDate(at.UTC())
	pdf.SetModificationDate(at.UTC())
	pdf.SetCatalogSort(true)
	pdf.SetCreator("verigate", false)
	pdf.SetProducer("verigate", false)
	pdf.SetTitle(h.Title, true)
	pdf.AliasNbPages("{nb}")
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor("")}
	w, _ := pdf.GetPageSize()
	d.width = w - 2*pageMargin
	pdf.SetHeaderFuncMode(func() {
		pdf.SetFont("Helvetica", "B", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(d.width, 4, d.tr("verigate"), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "B", 14)
		pdf.SetTextColor(20, 20, 20)
		pdf.MultiCell(d.width, 6.5, d.tr(h.Title), "", "L", false)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(60, 60, 60)
		for _, l := range h.Lines {
			pdf.MultiCell(d.width, 3.8, d.tr(l), "", "L", false)
		}
		if len(h.Fields) > 0 {
			parts := make([]string, 0, len(h.Fields))
			for _, f := range h.Fields {
				parts = append(parts, f[0]+": "+f[1])
			}
			pdf.MultiCell(d.width, 3.8, d.tr(strings.Join(parts, "   |   ")), "", "L", false)
		}
		pdf.SetDrawColor(150, 150, 150)
		pdf.SetLineWidth(0.3)
		y := pdf.GetY() + 1.5
		pdf.Line(pageMargin, y, pageMargin+d.width, y)
		pdf.SetY(y + 3)
		pdf.SetTextColor(0, 0, 0)
	}, false)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 7.5)
		pdf.SetTextColor(100, 100, 100)
		pdf.CellFormat(d.width/2, 4, d.tr(h.Footer), "", 0, "L", false, 0, "")
		pdf.CellFormat(d.width/2, 4, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	return d
}

// room starts a new page unless h millimetres fit on this one.
func (d *doc) room(h float64) {
	_, ph := d.pdf.GetPageSize()
	if d.pdf.GetY()+h > ph-bottomMargin {
		d.pdf.AddPage()
	}
}

// section prints a heading.
func (d *doc) section(title string) {
	d.room(18)
	d.pdf.Ln(2)
	d.pdf.SetFont("Helvetica", "B", 11)
	d.pdf.SetFillColor(230, 236, 245)
	d.pdf.CellFormat(d.width, 6.5, d.tr(title), "", 1, "L", true, 0, "")
	d.pdf.Ln(1.5)
}

// subsection prints a smaller heading.
func (d *doc) subsection(title string) {
	d.room(14)
	d.pdf.Ln(1)
	d.pdf.SetFont("Helvetica", "B", 9.5)
	d.pdf.CellFormat(d.width, 5, d.tr(title), "", 1, "L", false, 0, "")
}

// para prints wrapped text.
func (d *doc) para(text string) {
	d.pdf.SetFont("Helvetica", "", 9)
	d.pdf.MultiCell(d.width, lineHeight, d.tr(text), "", "L", false)
	d.pdf.Ln(1)
}

// kv prints label/value rows.
func (d *doc) kv(rows [][2]string) {
	const labelW = 48.0
	for _, r := range rows {
		d.pdf.SetFont("Helvetica", "", 9)
		lines := d.pdf.SplitLines([]byte(d.tr(r[1])), d.width-labelW)
		h := float64(max(1, len(lines))) * lineHeight
		d.room(h)
		y := d.pdf.GetY()
		d.pdf.SetFont("Helvetica", "B", 9)
		d.pdf.CellFormat(labelW, lineHeight, d.tr(r[0]), "", 0, "L", false, 0, "")
		d.pdf.SetFont("Helvetica", "", 9)
		d.pdf.SetXY(pageMargin+labelW, y)
		d.pdf.MultiCell(d.width-labelW, lineHeight, d.tr(r[1]), "", "L", false)
		d.pdf.SetXY(pageMargin, y+h)
	}
	d.pdf.Ln(1)
}

// column is one column of a table: a header, a share of the width and an alignment.
type column struct {
	Title string
	Width float64 // relative
	Align string  // "L" or "R"
}

// Table font sizes: a table is set at tableFont, or smaller down to
// minTableFont when its columns' words do not fit the width otherwise.
const (
	tableFont    = 8.0
	minTableFont = 6.0
	cellPad      = 2.0
)

// fitColumns returns the columns' widths and the font size to set them in.
// Each column is at least as wide as its widest word (a header or cell
// never wraps inside a word or an amount); the width left over is shared in
// proportion to the columns' relative widths.
func (d *doc) fitColumns(cols []column, rows [][]string) ([]float64, float64) {
	total := 0.0
	for _, c := range cols {
		total += c.Width
	}
	for size := tableFont; ; size -= 0.5 {
		need := make([]float64, len(cols))
		for i, c := range cols {
			d.pdf.SetFont("Helvetica", "B", size)
			need[i] = d.widestWord(c.Title)
			d.pdf.SetFont("Helvetica", "", size)
			for _, r := range rows {
				need[i] = max(need[i], d.widestWord(r[i]))
			}
			need[i] += cellPad + 2*d.pdf.GetCellMargin() + 0.2
		}
		widths, fits := share(d.width, need, cols, total)
		if fits || size <= minTableFont {
			return widths, size
		}
	}
}

// widestWord is the width of the longest word of s in the current font.
func (d *doc) widestWord(s string) float64 {
	w := 0.0
	for _, word := range strings.Fields(s) {
		w = max(w, d.pdf.GetStringWidth(d.tr(word)))
	}
	return w
}

// share gives each column its proportional share of width, raised to its
// need; the columns above their need give back the difference in
// proportion to their surplus. It reports whether every need is met.
func share(width float64, need []float64, cols []column, total float64) ([]float64, bool) {
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = width * c.Width / total
	}
	deficit, surplus := 0.0, 0.0
	for i := range widths {
		if widths[i] < need[i] {
			deficit += need[i] - widths[i]
		} else {
			surplus += widths[i] - need[i]
		}
	}
	if deficit == 0 {
		return widths, true
	}
	if deficit > surplus {
		return widths, false
	}
	for i := range widths {
		if widths[i] < need[i] {
			widths[i] = need[i]
		} else {
			widths[i] -= (widths[i] - need[i]) * deficit / surplus
		}
	}
	return widths, true
}

// table prints rows under a header that repeats on every page the table spans.
func (d *doc) table(cols []column, rows [][]string) {
	widths, size := d.fitColumns(cols, rows)
	cellLine := size / 2
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.Title
	}
	var printRow func(cells []string, bold, fill bool)
	printRow = func(cells []string, bold, fill bool) {
		style := ""
		if bold {
			style = "B"
		}
		d.pdf.SetFont("Helvetica", style, size)
		n := 1
		split := make([][][]byte, len(cells))
		for i, c := range cells {
			split[i] = d.pdf.SplitLines([]byte(d.tr(c)), widths[i]-cellPad)
			n = max(n, len(split[i]))
		}
		h := float64(n)*cellLine + 1.6
		if _, ph := d.pdf.GetPageSize(); d.pdf.GetY()+h > ph-bottomMargin {
			d.pdf.AddPage()
			if !bold {
				printRow(titles, true, true) // the header again on the new page
				d.pdf.SetFont("Helvetica", "", size)
			}
		}
		y := d.pdf.GetY()
		x := pageMargin
		for i := range cells {
			if fill {
				d.pdf.SetFillColor(242, 242, 242)
				d.pdf.Rect(x, y, widths[i], h, "F")
			}
			d.pdf.SetDrawColor(190, 190, 190)
			d.pdf.Rect(x, y, widths[i], h, "D")
			for j, line := range split[i] {
				d.pdf.SetXY(x+cellPad/2, y+0.8+float64(j)*cellLine)
				d.pdf.CellFormat(widths[i]-cellPad, cellLine, string(line), "", 0, cols[i].Align, false, 0, "")
			}
			x += widths[i]
		}
		d.pdf.SetXY(pageMargin, y+h)
	}
	d.room(20)
	printRow(titles, true, true)
	for _, r := range rows {
		printRow(r, false, false)
	}
	d.pdf.Ln(2)
}

// bytes finishes the document.
func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("report: render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// alert prints a warning in bold on a tinted band.
func (d *doc) alert(text string) {
	d.pdf.SetFont("Helvetica", "B", 9.5)
	d.pdf.SetFillColor(253, 226, 226)
	d.pdf.SetTextColor(140, 0, 0)
	d.pdf.MultiCell(d.width, 5, d.tr(text), "", "L", true)
	d.pdf.SetTextColor(0, 0, 0)
	d.pdf.Ln(1.5)
}
