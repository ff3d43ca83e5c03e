package documents

import "testing"

func TestSafeFileName(t *testing.T) {
	for _, c := range []struct{ in, ct, want string }{
		{"W-2 2024.pdf", "application/pdf", "W-2 2024.pdf"},
		{"invoice.html", "application/pdf", "invoice.pdf"},
		{"photo.exe", "image/jpeg", "photo.jpg"},
		{"payslip\u202Efdp.exe", "application/pdf", "payslipfdp.pdf"}, // right-to-left override
		{"../../etc/passwd", "image/png", "passwd.png"},
		{`C:\Users\ann\stub.PDF`, "application/pdf", "stub.pdf"},
		{"a\x00b\nc.pdf", "application/pdf", "abc.pdf"},
		{"bad\xffname.pdf", "application/pdf", "badname.pdf"},
		{"", "image/png", "upload.png"},
		{"...", "application/pdf", "upload.pdf"},
		{"<script>.pdf", "application/pdf", "script.pdf"},
		{"Zoë's stub.tar.gz", "application/pdf", "Zoë's stub.tar.pdf"},
	} {
		if got := SafeFileName(c.in, c.ct); got != c.want {
			t.Errorf("SafeFileName(%q, %s) = %q, want %q", c.in, c.ct, got, c.want)
		}
	}
}
