package payroll

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"verigate/internal/datasource"
	"verigate/internal/store"
	"verigate/internal/value"
)

// DocumentFile returns the file of a stored payroll document: a one-page
// PDF laid out like the form (a W-2 with its boxes), generated from the
// document's data, and a file name for it. The same record always gives the
// same bytes.
func DocumentFile(r store.AccountRecord) (name string, pdf []byte, err error) {
	d, err := Document(r)
	if err != nil {
		return "", nil, err
	}
	f := fpdf.New("P", "mm", "Letter", "")
	f.SetCreationDate(r.UpdatedAt.UTC())
	f.SetModificationDate(r.UpdatedAt.UTC())
	f.SetCatalogSort(true)
	f.SetProducer("verigate", false)
	f.SetCreator("verigate", false)
	tr := f.UnicodeTranslatorFromDescriptor("") // UTF-8 to the core fonts' cp1252
	title := d.DocumentTypeDescription
	if title == "" {
		title = d.DocumentType
	}
	f.SetTitle(title, true)
	f.SetAuthor(d.Employer, true)
	f.SetMargins(12, 12, 12)
	f.SetAutoPageBreak(false, 0)
	f.AddPage()
	p := &page{f: f, tr: tr}
	if d.W2 != nil {
		p.w2(d, *d.W2)
	} else {
		p.generic(d)
	}
	p.footer(r, d)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return "", nil, fmt.Errorf("payroll: document %s: pdf: %w", r.ID, err)
	}
	return fileName(d), buf.Bytes(), nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9]+`)

func fileName(d datasource.PayrollDocument) string {
	parts := []string{d.DocumentType}
	if d.Year != 0 {
		parts = append(parts, fmt.Sprint(d.Year))
	}
	parts = append(parts, d.Employer)
	name := strings.Trim(unsafeName.ReplaceAllString(strings.Join(parts, "-"), "-"), "-")
	if name == "" {
		name = "document"
	}
	return name + ".pdf"
}

type page struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

// box draws a labelled form box with its value.
func (p *page) box(x, y, w, h float64, label, value string) {
	f := p.f
	f.Rect(x, y, w, h, "D")
	p.fit("Helvetica", "", 6.5, w-2, label)
	f.SetXY(x+1, y+0.8)
	f.CellFormat(w-2, 3, p.tr(label), "", 0, "L", false, 0, "")
	lines := strings.Split(value, "\n")
	for i, l := range lines {
		p.fit("Courier", "B", 9.5, w-3, l)
		f.SetXY(x+1.5, y+4.5+float64(i)*4)
		f.CellFormat(w-3, 4, p.tr(l), "", 0, "L", false, 0, "")
	}
}

// fit sets the font at size, or smaller if s would not fit in width.
func (p *page) fit(family, style string, size, width float64, s string) {
	p.f.SetFont(family, style, size)
	for size > 4 && p.f.GetStringWidth(p.tr(s)) > width {
		size -= 0.5
		p.f.SetFont(family, style, size)
	}
}

func amount(m value.Money) string { return m.String() }

func optAmount(m value.Money) string {
	if m == 0 {
		return ""
	}
	return m.String()
}

func address(a datasource.Address) string {
	lines := []string{a.Line1}
	if a.Line2 != "" {
		lines = append(lines, a.Line2)
	}
	lines = append(lines, strings.TrimSpace(fmt.Sprintf("%s, %s %s", a.City, a.State, a.PostalCode)))
	return strings.Join(lines, "\n")
}

func (p *page) w2(d datasource.PayrollDocument, w datasource.W2) {
	f := p.f
	const left, top, width = 12.0, 12.0, 191.9
	f.SetFont("Helvetica", "B", 16)
	f.SetXY(left, top)
	f.CellFormat(width/2, 8, p.tr("Form W-2 Wage and Tax Statement"), "", 0, "L", false, 0, "")
	f.SetFont("Helvetica", "B", 20)
	f.CellFormat(width/2, 8, fmt.Sprint(d.Year), "", 1, "R", false, 0, "")
	f.SetFont("Helvetica", "", 8)
	f.SetX(left)
	f.CellFormat(width, 5, p.tr("Copy C - For EMPLOYEE'S RECORDS. Department of the Treasury - Internal Revenue Service."), "", 1, "L", false, 0, "")

	y := top + 16
	half := width / 2
	q := half / 2
	row := 11.0
	// Left column: identities; right column: the numbered boxes in pairs.
	p.box(left, y, half, row, "a  Employee's social security number", w.EmployeeSSN)
	p.box(left+half, y, half, row, "OMB No.", w.OMBNumber)
	y += row
	p.box(left, y, half, row, "b  Employer identification number (EIN)", w.EmployerEIN)
	p.box(left+half, y, q, row, "1  Wages, tips, other compensation", amount(w.Wages))
	p.box(left+half+q, y, q, row, "2  Federal income tax withheld", amount(w.FederalIncomeTax))
	y += row
	p.box(left, y, half, 3*row, "c  Employer's name, address, and ZIP code", w.Employer.Name+"\n"+address(w.Employer.Address))
	p.box(left+half, y, q, row, "3  Social security wages", amount(w.SocialSecurityWages))
	p.box(left+half+q, y, q, row, "4  Social security tax withheld", amount(w.SocialSecurityTax))
	p.box(left+half, y+row, q, row, "5  Medicare wages and tips", amount(w.MedicareWages))
	p.box(left+half+q, y+row, q, row, "6  Medicare tax withheld", amount(w.MedicareTax))
	p.box(left+half, y+2*row, q, row, "7  Social security tips", "")
	p.box(left+half+q, y+2*row, q, row, "8  Allocated tips", "")
	y += 3 * row
	p.box(left, y, half, row, "d  Control number", w.ControlNumber)
	p.box(left+half, y, q, row, "9", "")
	p.box(left+half+q, y, q, row, "10  Dependent care benefits", "")
	y += row
	p.box(left, y, half, 3*row, "e/f  Employee's name, address, and ZIP code", w.Employee.Name+"\n"+address(w.Employee.Address))
	p.box(left+half, y, q, row, "11  Nonqualified plans", "")
	code12 := ""
	if w.Plan401k != 0 {
		code12 = "D  " + w.Plan401k.String()
	}
	p.box(left+half+q, y, q, row, "12a  Code / amount", code12)
	p.box(left+half, y+row, q, row, "13  Retirement plan", boolMark(w.Plan401k != 0, "X"))
	p.box(left+half+q, y+row, q, row, "12b", "")
	p.box(left+half, y+2*row, q, row, "14  Other", "")
	p.box(left+half+q, y+2*row, q, row, "12c", "")
	y += 3 * row

	// State and local line.
	cols := []struct {
		w            float64
		label, value string
	}{
		{0.22, "15  State / Employer's state ID", w.EmployerStateID},
		{0.14, "16  State wages", amount(w.StateWages)},
		{0.14, "17  State income tax", amount(w.StateIncomeTax)},
		{0.16, "18  Local wages", optAmount(w.LocalWages)},
		{0.16, "19  Local income tax", optAmount(w.LocalIncomeTax)},
		{0.18, "20  Locality name", w.LocalityName},
	}
	x := left
	for _, c := range cols {
		p.box(x, y, width*c.w, row, c.label, c.value)
		x += width * c.w
	}
	y += row + 6

	// A plain summary that reads well when the text is extracted.
	f.SetXY(left, y)
	f.SetFont("Helvetica", "B", 10)
	f.CellFormat(width, 6, p.tr("Summary"), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 9)
	for _, l := range []string{
		fmt.Sprintf("Employer: %s (EIN %s)", d.Employer, w.EmployerEIN),
		fmt.Sprintf("Employee: %s (SSN %s)", w.Employee.Name, w.EmployeeSSN),
		fmt.Sprintf("Tax year: %d    Document number: %s    Available: %s", d.Year, d.DocumentNumber, d.AvailableDate),
		fmt.Sprintf("Wages (box 1): %s    Federal income tax withheld (box 2): %s", w.Wages, w.FederalIncomeTax),
		fmt.Sprintf("Social security wages / tax (boxes 3, 4): %s / %s", w.SocialSecurityWages, w.SocialSecurityTax),
		fmt.Sprintf("Medicare wages / tax (boxes 5, 6): %s / %s", w.MedicareWages, w.MedicareTax),
		fmt.Sprintf("State wages / income tax (boxes 16, 17): %s / %s", w.StateWages, w.StateIncomeTax),
	} {
		f.SetX(left)
		f.CellFormat(width, 5, p.tr(l), "", 1, "L", false, 0, "")
	}
}

func boolMark(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

func (p *page) generic(d datasource.PayrollDocument) {
	f := p.f
	f.SetFont("Helvetica", "B", 16)
	f.SetXY(12, 12)
	title := d.DocumentTypeDescription
	if title == "" {
		title = d.DocumentType
	}
	f.CellFormat(191.9, 8, p.tr(title), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 10)
	for _, l := range []string{
		"Document type: " + d.DocumentType,
		"Employer: " + d.Employer,
		"Document number: " + d.DocumentNumber,
		"Available: " + d.AvailableDate.String(),
	} {
		f.SetX(12)
		f.CellFormat(191.9, 6, p.tr(l), "", 1, "L", false, 0, "")
	}
}

func (p *page) footer(r store.AccountRecord, d datasource.PayrollDocument) {
	f := p.f
	f.SetFont("Helvetica", "", 7)
	f.SetTextColor(90, 90, 90)
	f.SetXY(12, 262)
	f.MultiCell(191.9, 3.5, p.tr(fmt.Sprintf(
		"Generated by verigate from the payroll data of account %s (document %s, retrieved %s). "+
			"It reproduces the values the payroll system reported for this %s; it is not a copy filed with the IRS.",
		r.AccountID, r.ID, r.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"), d.DocumentType)), "", "L", false)
}
