package office

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"path/filepath"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/doorstep-survey/doorstep/protocol"
	"github.com/doorstep-survey/doorstep/roster"
)

type rosterData struct {
	District   bool
	Cases      int
	Imported   string
	Problems   []roster.Problem
	Error      string
	Enrolment  *enrolView
	Notice     string
	EnrolURL   string
	RevokeDone string
	Laptops    []laptopRow
}

type laptopRow struct {
	User, Name, Role, Villages, Device, Enrolled string
	// LastPush is when the server last took in a push of the laptop ("": never).
	LastPush string
	// Fingerprint is the laptop's key card's, read aloud to the enumerator ("": none).
	Fingerprint string
	Revoked     bool
}

type enrolView struct {
	User, Code, Line string
	QR               template.HTML
}

// rosterPage shows the roster's size, the import form and the laptops' enrolment; both
// change what laptops get, so they are the district's.
func (h *Handler) rosterPage(c *call) {
	h.showRoster(c, http.StatusOK, rosterData{})
}

func (h *Handler) showRoster(c *call, status int, d rosterData) {
	d.District = c.acc.Role == RoleDistrict
	if d.District {
		users, err := h.o.Source.Users()
		if err != nil {
			h.o.Log.Error("office: laptops", "err", err)
		}
		for _, u := range users {
			for _, dev := range u.Devices {
				row := laptopRow{User: u.Code, Name: u.Name, Role: text(c.lang, u.Role+"role"), Villages: strings.Join(u.Villages, "、"),
					Device: dev.Name, Enrolled: dev.Created.In(h.o.Location).Format("2006-01-02 15:04"), Revoked: dev.Revoked, Fingerprint: dev.Fingerprint()}
				if !dev.LastPush.IsZero() {
					row.LastPush = dev.LastPush.In(h.o.Location).Format("2006-01-02 15:04")
				}
				d.Laptops = append(d.Laptops, row)
			}
		}
	}
	h.ix.mu.RLock()
	d.Cases = len(h.ix.scope(c.acc, "", ""))
	h.ix.mu.RUnlock()
	h.render(c, status, "roster", "roster", d)
}

// rosterImport reads an uploaded roster with the laptops' parser and says what changed.
func (h *Handler) rosterImport(c *call) {
	if c.acc.Role != RoleDistrict {
		h.notFound(c)
		return
	}
	file, hdr, err := c.r.FormFile("file")
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.showRoster(c, http.StatusRequestEntityTooLarge, rosterData{Error: fmt.Sprintf(text(c.lang, "err.toolarge"), maxUpload>>20)})
			return
		}
		h.showRoster(c, http.StatusBadRequest, rosterData{Error: fmt.Sprintf(text(c.lang, "err.notroster"), err)})
		return
	}
	defer file.Close()
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(hdr.Filename), "."))
	res, err := roster.Parse(file, ext, h.o.PersonForm.ReferenceDate)
	if err != nil {
		h.audit(c, "roster-refused", hdr.Filename, err.Error())
		h.showRoster(c, http.StatusUnprocessableEntity, rosterData{Error: fmt.Sprintf(text(c.lang, "err.notroster"), err)})
		return
	}
	imp, err := h.o.Source.ImportRoster(res.Rows, "office:"+c.acc.User, filepath.Base(hdr.Filename))
	if err != nil {
		h.o.Log.Error("office: roster import", "err", err)
		h.fail(c, http.StatusInternalServerError, "err.server")
		return
	}
	h.audit(c, "roster-import", hdr.Filename, fmt.Sprintf("%d rows: %d new, %d changed", imp.Rows, imp.New, imp.Changed))
	if err := h.ix.refresh(); err != nil {
		h.o.Log.Error("office: read the server's data", "err", err)
	}
	h.showRoster(c, http.StatusOK, rosterData{Imported: fmt.Sprintf(text(c.lang, "imported"), imp.Rows, imp.New, imp.Changed, imp.Unchanged,
		len(res.Problems), len(res.Duplicates)), Problems: append(res.Problems, res.Duplicates...)})
}

// enrol makes a one-time code for a laptop user and shows it with the line the laptop
// runs, and that line as a QR code for the laptop's screen to show.
func (h *Handler) enrol(c *call) {
	if c.acc.Role != RoleDistrict {
		h.notFound(c)
		return
	}
	u := protocol.User{Code: strings.TrimSpace(c.r.FormValue("user")), Name: strings.TrimSpace(c.r.FormValue("name")),
		Role: c.r.FormValue("role"), Team: strings.TrimSpace(c.r.FormValue("team"))}
	for _, v := range strings.FieldsFunc(c.r.FormValue("villages"), func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if v = strings.TrimSpace(v); v != "" {
			u.Villages = append(u.Villages, v)
		}
	}
	code, err := h.o.Source.AddEnrolment(u)
	if err != nil {
		h.showRoster(c, http.StatusBadRequest, rosterData{Error: err.Error()})
		return
	}
	h.audit(c, "enrol", u.Code, strings.Join(u.Villages, ","))
	line := "doorstep enroll " + h.o.EnrolURL + " " + code
	if h.o.Fingerprint != "" {
		line += " --fingerprint " + h.o.Fingerprint
	}
	ev := &enrolView{User: u.Code, Code: code, Line: line}
	if qr, err := qrcode.New(line, qrcode.Medium); err == nil {
		ev.QR = qrSVG(qr.Bitmap())
	}
	h.showRoster(c, http.StatusOK, rosterData{Enrolment: ev})
}

// qrSVG draws a QR code's modules as one SVG path: sharp at any size, no image
// library, no inline style.
func qrSVG(bits [][]bool) template.HTML {
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" viewBox="0 0 %d %d" role="img" aria-label="QR" xmlns="http://www.w3.org/2000/svg"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String())
}

func (h *Handler) revoke(c *call) {
	if c.acc.Role != RoleDistrict {
		h.notFound(c)
		return
	}
	user := strings.TrimSpace(c.r.FormValue("user"))
	n, err := h.o.Source.Revoke(user)
	if err != nil {
		h.showRoster(c, http.StatusBadRequest, rosterData{Error: err.Error()})
		return
	}
	h.audit(c, "revoke", user, fmt.Sprint(n))
	h.showRoster(c, http.StatusOK, rosterData{RevokeDone: fmt.Sprintf(text(c.lang, "revoked"), user, n)})
}
