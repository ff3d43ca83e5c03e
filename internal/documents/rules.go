package documents

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"verigate/internal/partner"
	"verigate/internal/report"
	"verigate/internal/store"
	"verigate/internal/value"
	"verigate/internal/verification"
)

// Rules of a doc-voi-mortgage verification (docs/reports.md explains them).
const (
	// PaystubWindowDays is how recent an active employment's latest paystub must be.
	PaystubWindowDays = 30
	// HistoryMonths is how much employment history eligibility needs.
	HistoryMonths = 24
	// MaxGapDays is the longest gap in that history that eligibility allows.
	MaxGapDays = 30
	// FinalPayDays is how long after a termination a final paycheck may be dated.
	FinalPayDays = 31
)

// Status error codes the evaluation uses.
const (
	CodeMissingPaystub        = "missing_paystub"
	CodeMissingW2             = "missing_w2"
	CodeUnmatchedDocument     = "unmatched_document"
	CodeNoCurrentEmployment   = "no_current_employment"
	CodeInsufficientHistory   = "insufficient_employment_history"
	CodeEmploymentGap         = "employment_gap"
	CodeDocumentOutsideDates  = "document_outside_employment"
	resourceEmployments       = "employments"
	resourceUploads           = "user_uploads"
	documentPaystubs          = "paystubs"
	documentW2                = "W-2"
	document1099              = "1099"
	documentProofOfIdentity   = "proof-of-identity"
	documentProofOfAddress    = "proof-of-address"
	documentMiscellaneous     = "miscellaneous"
	statusActive              = "active"
	w2AvailableFromMonthIndex = 2 // February: W-2s are due by 31 January
)

// DocumentTypes lists the contract's upload document types.
var DocumentTypes = []string{documentPaystubs, documentW2, document1099, documentProofOfIdentity, documentProofOfAddress, documentMiscellaneous}

// Stated is what an uploader states about a document in place of OCR.
type Stated struct {
	Employer    *string `json:"employer,omitempty"`
	PayDate     *string `json:"pay_date,omitempty"`
	PeriodStart *string `json:"period_start,omitempty"`
	PeriodEnd   *string `json:"period_end,omitempty"`
	TaxYear     *int    `json:"tax_year,omitempty"`
}

func (s Stated) empty() bool {
	return s.Employer == nil && s.PayDate == nil && s.PeriodStart == nil && s.PeriodEnd == nil && s.TaxYear == nil
}

// Evaluation is the outcome of checking a verification's documents.
type Evaluation struct {
	// Missing lists what is still needed; non-empty means PAUSED/more_data_required.
	Missing []verification.StatusError
	// Ineligible explains why complete documents are not eligible;
	// non-empty means COMPLETED/completed_with_errors.
	Ineligible []verification.StatusError
	// Report is the documents part of the report.
	Report report.Documents
}

// normalize folds an employer name for matching: case, spacing and punctuation are ignored.
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

type upload struct {
	rec    store.Upload
	stated Stated
	pay    value.Date
	used   bool
	match  []int // indexes of the employments it names
}

func employmentError(code, title, employer, msg string) verification.StatusError {
	return verification.StatusError{Code: code, Title: title, Message: msg,
		Resources: []verification.ErrorResource{{ID: nil, Type: resourceEmployments, Name: employer}}}
}

func uploadError(code, title string, u store.Upload, msg string) verification.StatusError {
	id := u.ID
	return verification.StatusError{Code: code, Title: title, Message: msg,
		Resources: []verification.ErrorResource{{ID: &id, Type: resourceUploads, Name: u.FileName}}}
}

// W2Years returns the two tax years whose W-2s are required on date today:
// the last year whose W-2s are due (by 31 January) and the year before.
func W2Years(today value.Date) [2]int {
	latest := today.Year - 1
	if int(today.Month) < w2AvailableFromMonthIndex {
		latest--
	}
	return [2]int{latest, latest - 1}
}

// Evaluate checks the uploads against the employments as of today.
func Evaluate(emps []verification.Employment, uploads []store.Upload, today value.Date) Evaluation {
	var ev Evaluation
	ups := make([]*upload, 0, len(uploads))
	for _, u := range uploads {
		x := &upload{rec: u}
		json.Unmarshal(u.Stated, &x.stated)
		if x.stated.PayDate != nil {
			x.pay, _ = value.ParseDate(*x.stated.PayDate)
		}
		if x.stated.Employer != nil {
			name := normalize(*x.stated.Employer)
			for i, e := range emps {
				if normalize(e.Employer) == name {
					x.match = append(x.match, i)
				}
			}
		}
		ups = append(ups, x)
	}
	ev.Report.AsOf = today.String()
	windowStart := today.AddDate(0, 0, -PaystubWindowDays)
	years := W2Years(today)
	for i, e := range emps {
		hire, _ := value.ParseDate(e.HireDate)
		var term value.Date
		if e.TerminationDate != nil {
			term, _ = value.ParseDate(*e.TerminationDate)
		}
		de := report.DocumentEmployment{Index: i, Employer: e.Employer, Status: e.Status, HireDate: e.HireDate,
			TerminationDate: e.TerminationDate, Requirements: []report.Requirement{}}
		if e.Status == statusActive {
			req := fmt.Sprintf("Most recent paystub dated within %d days (paid %s to %s)", PaystubWindowDays, windowStart, today)
			var best *upload
			var latest *upload
			for _, u := range ups {
				if u.rec.DocumentType != documentPaystubs || !slices.Contains(u.match, i) || u.pay.IsZero() {
					continue
				}
				if latest == nil || u.pay.After(latest.pay) {
					latest = u
				}
				if !u.pay.Before(windowStart) && !u.pay.After(today) && (best == nil || u.pay.After(best.pay)) {
					best = u
				}
			}
			de.Requirements = append(de.Requirements, requirement(req, best))
			if best == nil {
				msg := fmt.Sprintf("%s (employment %d): most recent paystub dated within %d days, paid on or after %s.", e.Employer, i+1, PaystubWindowDays, windowStart)
				if latest != nil {
					msg += fmt.Sprintf(" The latest paystub uploaded for it was paid %s.", latest.pay)
				}
				ev.Missing = append(ev.Missing, employmentError(CodeMissingPaystub, "Recent paystub required", e.Employer, msg))
			}
		}
		for _, y := range years {
			if !hire.IsZero() && hire.Year > y {
				continue // not employed there that year
			}
			if !term.IsZero() && term.Year < y {
				continue
			}
			var found *upload
			for _, u := range ups {
				if u.rec.DocumentType == documentW2 && slices.Contains(u.match, i) && u.stated.TaxYear != nil && *u.stated.TaxYear == y {
					found = u
				}
			}
			de.Requirements = append(de.Requirements, requirement(fmt.Sprintf("W-2 for %d", y), found))
			if found == nil {
				ev.Missing = append(ev.Missing, employmentError(CodeMissingW2, fmt.Sprintf("W-2 for %d required", y), e.Employer,
					fmt.Sprintf("%s (employment %d): W-2 for %d.", e.Employer, i+1, y)))
			}
		}
		ev.Report.Employments = append(ev.Report.Employments, de)
	}
	for _, u := range ups {
		du := report.DocumentUpload{ID: u.rec.ID, DocumentType: u.rec.DocumentType, FileName: u.rec.FileName, ContentType: u.rec.ContentType,
			Size: u.rec.Size, SHA256: u.rec.SHA256, UploadedAt: u.rec.CreatedAt.UTC().Format(partner.TimeFormat),
			Employer: u.stated.Employer, PayDate: u.stated.PayDate, PeriodStart: u.stated.PeriodStart, PeriodEnd: u.stated.PeriodEnd, TaxYear: u.stated.TaxYear}
		if len(u.match) > 0 {
			m := u.match[0]
			du.Employment = &m
		}
		ev.Report.Uploads = append(ev.Report.Uploads, du)
	}
	if len(ev.Missing) > 0 {
		// Say why uploads that could have counted did not.
		for _, u := range ups {
			if msg := unusable(u, emps); msg != "" {
				ev.Missing = append(ev.Missing, uploadError(CodeUnmatchedDocument, "Document not matched", u.rec, msg))
			}
		}
	} else {
		ev.Ineligible = eligibility(emps, ups, today)
	}
	ev.Report.Eligibility = report.Eligibility{Eligible: len(ev.Missing) == 0 && len(ev.Ineligible) == 0, Errors: ev.Ineligible}
	if len(ev.Missing) > 0 {
		ev.Report.Eligibility.Errors = ev.Missing
	}
	return ev
}

func requirement(what string, u *upload) report.Requirement {
	r := report.Requirement{Requirement: what, Met: u != nil}
	if u != nil {
		id := u.rec.ID
		r.Upload = &id
		u.used = true
	}
	return r
}

// unusable explains why a paystub or W-2 upload meets no requirement, or returns "".
func unusable(u *upload, emps []verification.Employment) string {
	t := u.rec.DocumentType
	if (t != documentPaystubs && t != documentW2) || u.used {
		return ""
	}
	name := fmt.Sprintf("Upload %s (%s, %q)", u.rec.ID, t, u.rec.FileName)
	switch {
	case u.stated.Employer == nil:
		return name + " states no employer; upload it again with the employer field."
	case len(u.match) == 0:
		return fmt.Sprintf("%s states employer %q, which matches none of the verification's %d employments.", name, *u.stated.Employer, len(emps))
	case t == documentPaystubs && u.stated.PayDate == nil:
		return name + " states no pay date; upload it again with the pay_date field."
	case t == documentW2 && u.stated.TaxYear == nil:
		return name + " states no tax year; upload it again with the tax_year field."
	}
	return ""
}

// eligibility checks complete documents against the rules that make them eligible.
func eligibility(emps []verification.Employment, ups []*upload, today value.Date) []verification.StatusError {
	var out []verification.StatusError
	type span struct{ from, to value.Date }
	var spans []span
	active := false
	for _, e := range emps {
		hire, _ := value.ParseDate(e.HireDate)
		end := today
		if e.TerminationDate != nil {
			end, _ = value.ParseDate(*e.TerminationDate)
		}
		if e.Status == statusActive {
			active = true
		}
		spans = append(spans, span{hire, end})
	}
	if !active {
		out = append(out, verification.StatusError{Code: CodeNoCurrentEmployment, Title: "No current employment",
			Message: "None of the employments is active: current income cannot be verified."})
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
	start := today.AddDate(0, -HistoryMonths, 0)
	insufficient := func(msg string) {
		out = append(out, verification.StatusError{Code: CodeInsufficientHistory, Title: "Insufficient employment history",
			Message: msg + fmt.Sprintf(" %d months of history (since %s) are required.", HistoryMonths, start)})
	}
	// Walk the window [start, today]: covered is how far the history reaches.
	covered := start
	var before value.Date // the latest end of a job that ended before the window
	first := true
	for _, s := range spans {
		if s.to.Before(start) {
			if s.to.After(before) {
				before = s.to
			}
			continue
		}
		if s.from.After(covered.AddDate(0, 0, MaxGapDays)) {
			from := covered
			if first {
				from = before
			}
			if from.IsZero() {
				insufficient(fmt.Sprintf("The employment history starts on %s.", s.from))
			} else {
				days := int(s.from.Time().Sub(from.Time()).Hours() / 24)
				out = append(out, verification.StatusError{Code: CodeEmploymentGap, Title: "Gap in employment",
					Message: fmt.Sprintf("No employment from %s to %s (%d days); gaps over %d days are not eligible.", from, s.from, days, MaxGapDays)})
			}
		}
		first = false
		if s.to.After(covered) {
			covered = s.to
		}
	}
	if first {
		insufficient("No employment falls within the last 24 months.")
	}
	for _, u := range ups {
		for _, i := range u.match {
			e := emps[i]
			hire, _ := value.ParseDate(e.HireDate)
			var term value.Date
			if e.TerminationDate != nil {
				term, _ = value.ParseDate(*e.TerminationDate)
			}
			bad := ""
			switch {
			case u.rec.DocumentType == documentPaystubs && !u.pay.IsZero() && u.pay.Before(hire):
				bad = fmt.Sprintf("is paid %s, before the hire date %s", u.pay, hire)
			case u.rec.DocumentType == documentPaystubs && !u.pay.IsZero() && !term.IsZero() && u.pay.After(term.AddDate(0, 0, FinalPayDays)):
				bad = fmt.Sprintf("is paid %s, more than %d days after the termination date %s", u.pay, FinalPayDays, term)
			case u.rec.DocumentType == documentW2 && u.stated.TaxYear != nil && *u.stated.TaxYear < hire.Year:
				bad = fmt.Sprintf("is for %d, before the hire year %d", *u.stated.TaxYear, hire.Year)
			case u.rec.DocumentType == documentW2 && u.stated.TaxYear != nil && !term.IsZero() && *u.stated.TaxYear > term.Year:
				bad = fmt.Sprintf("is for %d, after the termination year %d", *u.stated.TaxYear, term.Year)
			}
			if bad != "" {
				out = append(out, uploadError(CodeDocumentOutsideDates, "Document outside the employment", u.rec,
					fmt.Sprintf("Upload %s (%s for %s) %s.", u.rec.ID, u.rec.DocumentType, e.Employer, bad)))
			}
		}
	}
	return out
}
