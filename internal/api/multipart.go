package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"verigate/internal/documents"
	"verigate/internal/validate"
)

// maxUploadBody bounds an upload request: the document plus room for the form's other fields.
const maxUploadBody = documents.MaxUploadSize + 1<<20

// maxFormValue bounds one text field of an upload form.
const maxFormValue = 4 << 10

var errUploadTooLarge = detail(http.StatusRequestEntityTooLarge, "The upload is too large; the limit is 10 MiB per document.")

// decodeUpload reads a multipart/form-data upload: text fields and exactly
// one file in the upload field. It streams the parts, so nothing is
// written to temporary files, and reports bad input like decode does.
func decodeUpload(w http.ResponseWriter, r *http.Request) (documents.UploadInput, error) {
	var in documents.UploadInput
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		if ct == "" {
			ct = "none"
		}
		return in, detail(http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported media type %q in request; send multipart/form-data.", ct))
	}
	if r.ContentLength > maxUploadBody {
		return in, errUploadTooLarge
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxUploadBody), params["boundary"])
	errs := validate.Errors{}
	fields := map[string]**string{
		"employer": &in.Employer, "pay_date": &in.PayDate, "period_start": &in.PeriodStart,
		"period_end": &in.PeriodEnd, "tax_year": &in.TaxYear,
	}
	seen := map[string]bool{}
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, formError(err)
		}
		name := part.FormName()
		if part.FileName() != "" || name == "upload" {
			if name != "upload" {
				errs.Add(name, "Unexpected file; send the document in the upload field.")
				part.Close()
				continue
			}
			files++
			if files > 1 {
				errs.Add("upload", "Max of 1 document per request; send one file.")
				part.Close()
				continue
			}
			data, err := io.ReadAll(io.LimitReader(part, documents.MaxUploadSize+1))
			if err != nil {
				return in, formError(err)
			}
			if len(data) > documents.MaxUploadSize {
				return in, errUploadTooLarge
			}
			if data == nil {
				data = []byte{}
			}
			in.Data = data
			in.FileName = filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
			if in.FileName == "." || in.FileName == "/" {
				in.FileName = ""
			}
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(part, maxFormValue+1))
		if err != nil {
			return in, formError(err)
		}
		if len(raw) > maxFormValue {
			errs.Add(name, "Ensure this field has no more than 4096 characters.")
			continue
		}
		if seen[name] {
			errs.Add(name, "Send this field once.")
			continue
		}
		seen[name] = true
		val := string(raw)
		switch name {
		case "user":
			in.User = strings.TrimSpace(val)
		case "document_type":
			in.DocumentType = strings.TrimSpace(val)
		default:
			if dst, ok := fields[name]; ok {
				*dst = &val
			}
			// Other fields are ignored, like unknown JSON fields.
		}
	}
	if err := errs.Err(); err != nil {
		return in, err
	}
	return in, nil
}

func formError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errUploadTooLarge
	}
	return detail(http.StatusBadRequest, "Multipart form parse error - "+err.Error())
}
