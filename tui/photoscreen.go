package tui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/photo"
	"github.com/doorstep-survey/doorstep/survey"
	"github.com/doorstep-survey/doorstep/tui/textwidth"
)

// photoScreen attaches the photo taken at the visit, chosen from the laptop's files,
// checked to be a JPEG or PNG and shrunk before it is stored; then it completes the
// case, which queues it for the district.
type photoScreen struct {
	common
	caseID  string
	iv      interview
	loaded  bool
	picker  filepicker.Model
	busy    bool
	err     [2]string
	added   string // what the last photo became, for the screen
	noPhoto bool   // finish was pressed once without a photo: the next press completes
	done    bool
	queued  int
	keys    struct{ finish, leave, home key.Binding }
}

// photoAddedMsg is a photo prepared and stored.
type photoAddedMsg struct {
	rec      *localstore.Record
	prepared photo.Prepared
	err      error
}

// completedMsg is the case completed and queued.
type completedMsg struct {
	rec    *localstore.Record
	queued int
	err    error
}

func newPhotoScreen(c common, caseID string) *photoScreen {
	s := &photoScreen{common: c, caseID: caseID,
		picker: newPicker([]string{".jpg", ".jpeg", ".png"}, c.env.PhotosDir, "Pictures", "图片", "DCIM")}
	s.keys.finish = binding([]string{"f6"}, "F6", "key.finish")
	s.keys.leave = binding([]string{"esc"}, "esc", "key.pause")
	s.keys.home = binding([]string{"enter"}, "enter", "key.today")
	return s
}

func (s *photoScreen) Init() tea.Cmd {
	return tea.Batch(s.picker.Init(), loadInterviewCmd(s.common, s.caseID))
}

func (s *photoScreen) Title(lang string) string {
	return titled(lang, "photo", s.iv.name)
}

func (s *photoScreen) Typing() bool { return false }

func (s *photoScreen) ShortHelp() []key.Binding {
	if s.done {
		return []key.Binding{s.keys.home}
	}
	return []key.Binding{s.env.Keys.Up, binding([]string{"enter"}, "enter", "key.pick"),
		binding([]string{"left"}, "←", "key.updir"), s.keys.finish, s.keys.leave}
}

func (s *photoScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *photoScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case interviewLoadedMsg:
		s.loaded = true
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv = msg.iv
		s.done = s.iv.rec.Status.Locked()
		return s, nil
	case photoAddedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = photoError(msg.err)
			return s, nil
		}
		s.iv.rec = msg.rec
		p := msg.prepared
		s.added = fmt.Sprintf(tr(s.env.Lang, "photoadded"), p.SourceWidth, p.SourceHeight, p.Width, p.Height, (len(p.Data)+512)/1024)
		return s, nil
	case completedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = errText(msg.err)
			return s, nil
		}
		s.iv.rec, s.queued, s.done = msg.rec, msg.queued, true
		// The status bar says the same number as the page.
		n := msg.queued
		return s, func() tea.Msg { return queuedMsg{n} }
	case tea.WindowSizeMsg:
		s.picker.SetHeight(max(3, msg.Height-14))
		return s, nil
	case tea.KeyPressMsg:
		return s, s.key(msg)
	}
	// The picker's own messages (a folder read).
	var cmd tea.Cmd
	s.picker, cmd = s.picker.Update(msg)
	return s, cmd
}

func (s *photoScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	if s.done {
		if key.Matches(msg, s.keys.home) || key.Matches(msg, s.keys.leave) {
			return home
		}
		return nil
	}
	if key.Matches(msg, s.keys.leave) {
		return back
	}
	if !s.loaded || s.busy || s.iv.rec == nil {
		return nil
	}
	if key.Matches(msg, s.keys.finish) {
		// A home visit is photographed (the district checks the 96 % by the photos);
		// by telephone or at the service window there is no house to photograph.
		if len(s.iv.rec.Photos) == 0 && !s.noPhoto && s.iv.rec.Method == survey.HomeVisit {
			s.noPhoto = true
			s.err = both("nophoto")
			return nil
		}
		return s.complete()
	}
	s.err, s.noPhoto = [2]string{}, false
	var cmd tea.Cmd
	s.picker, cmd = s.picker.Update(msg)
	if ok, path := s.picker.DidSelectFile(msg); ok {
		return tea.Batch(cmd, s.attach(path))
	}
	if ok, _ := s.picker.DidSelectDisabledFile(msg); ok {
		s.err = both("notphoto")
	}
	return cmd
}

func (s *photoScreen) attach(path string) tea.Cmd {
	s.busy = true
	sess, rid := s.env.Session, s.iv.rec.ID
	return s.do(func() tea.Msg {
		f, err := os.Open(path)
		if err != nil {
			return photoAddedMsg{err: err}
		}
		defer f.Close()
		p, err := photo.Prepare(f)
		if err != nil {
			return photoAddedMsg{err: err}
		}
		rec, err := sess.AddPhoto(rid, p.Data, p.Type)
		return photoAddedMsg{rec: rec, prepared: p, err: err}
	})
}

func (s *photoScreen) complete() tea.Cmd {
	s.busy, s.err = true, [2]string{}
	sess, db, rid := s.env.Session, s.env.DB, s.iv.rec.ID
	return s.do(func() tea.Msg {
		rec, err := sess.Complete(rid)
		if err != nil {
			return completedMsg{err: err}
		}
		n, _ := db.OutboxLen()
		return completedMsg{rec: rec, queued: n}
	})
}

func photoError(err error) [2]string {
	switch {
	case errors.Is(err, photo.ErrNotPhoto):
		return both("notphoto")
	case errors.Is(err, photo.ErrTooLarge):
		return both("photolarge")
	}
	return errText(err)
}

func (s *photoScreen) View(width, height int) string {
	lang, st := s.env.Lang, s.env.Styles
	li := langIndex(lang)
	if !s.loaded {
		return st.Faint.Render(tr(lang, "loading"))
	}
	if s.iv.rec == nil {
		return strings.Join(textwidth.Wrap(s.err[li], width), "\n")
	}
	add := func(lines []string, style func(...string) string, text string) []string {
		for _, l := range textwidth.Wrap(text, width-4) {
			lines = append(lines, "  "+style(l))
		}
		return lines
	}
	if s.done {
		lines := []string{"", ""}
		lines = add(lines, st.OK.Render, "✓ "+fmt.Sprintf(tr(lang, "casedone"), s.iv.name))
		lines = append(lines, "")
		if sig, ok := s.iv.rec.RespondentSignature(); ok {
			lines = add(lines, st.Section.Render, tr(lang, "signedby")+clean(sig.DisplayName()))
		}
		lines = add(lines, st.Faint.Render, fmt.Sprintf(tr(lang, "photos.n"), len(s.iv.rec.Photos)))
		lines = add(lines, st.Faint.Render, fmt.Sprintf(tr(lang, "queued.n"), s.queued))
		lines = append(lines, "")
		return strings.Join(add(lines, st.Faint.Render, tr(lang, "backtoday")), "\n")
	}
	lines := []string{""}
	lines = add(lines, st.Section.Render, tr(lang, "photohint"))
	if n := len(s.iv.rec.Photos); n > 0 {
		lines = add(lines, st.OK.Render, fmt.Sprintf("✓ "+tr(lang, "photos.n"), n))
	}
	if s.added != "" {
		lines = add(lines, st.Faint.Render, s.added)
	}
	lines = append(lines, "  "+st.Label.Render(textwidth.Truncate(tr(lang, "folder")+clean(s.picker.CurrentDirectory), width-4)))
	var tail []string
	switch {
	case s.busy:
		tail = add(tail, st.Faint.Render, tr(lang, "saving"))
	case s.err[li] != "":
		tail = add(tail, st.Error.Render, s.err[li])
	case s.iv.rec.Method != survey.HomeVisit:
		tail = add(tail, st.Faint.Render, tr(lang, "finishnophoto"))
	default:
		tail = add(tail, st.Faint.Render, tr(lang, "finishhint"))
	}
	room := max(3, height-len(lines)-len(tail)-1)
	s.picker.SetHeight(room)
	lines = append(lines, pickerLines(s.picker, st, width)...)
	for len(lines) < height-len(tail) {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, tail...), "\n")
}

// newPicker is a file picker as the screens use it: the files with the extensions (in
// either case) selectable, starting in dir, or else in the first of the home folder's
// subfolders that exists, or else the home folder.
func newPicker(exts []string, dir string, homeSubdirs ...string) filepicker.Model {
	p := filepicker.New()
	for _, e := range exts {
		p.AllowedTypes = append(p.AllowedTypes, strings.ToLower(e), strings.ToUpper(e))
	}
	p.ShowPermissions = false
	p.ShowSize = false // pickerLines shows files' sizes, and no folder's
	p.AutoHeight = false
	p.Cursor = "▸"
	// esc leaves the screen, as everywhere; the picker goes up a folder with ← only.
	p.KeyMap.Back = key.NewBinding(key.WithKeys("left", "backspace"))
	p.KeyMap.Open = key.NewBinding(key.WithKeys("right", "enter"))
	// File names are drawn plain and cleaned line by line (a name can hold escape
	// sequences); pickerLines marks the selection.
	plain := lipgloss.NewStyle()
	p.Styles = filepicker.Styles{DisabledCursor: plain, Cursor: plain, Symlink: plain, Directory: plain,
		File: plain, DisabledFile: plain, Permission: plain, Selected: plain, DisabledSelected: plain,
		FileSize: plain, EmptyDirectory: plain}
	if dir != "" {
		p.CurrentDirectory = dir
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p.CurrentDirectory = home
		for _, d := range homeSubdirs {
			if fi, err := os.Stat(filepath.Join(home, d)); err == nil && fi.IsDir() {
				p.CurrentDirectory = filepath.Join(home, d)
				break
			}
		}
	}
	return p
}

// pickerLines is the picker's listing, cleaned, with the selection highlighted: the
// marker, a space, the name, and a file's size (a folder's size says nothing of what is
// in it, so it has none; the picker's own sizes are off).
func pickerLines(p filepicker.Model, st Styles, width int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(p.View(), "\n"), "\n") {
		l = clean(l)
		selected := false
		if name, ok := strings.CutPrefix(l, "▸ "); ok {
			selected, l = true, name
		} else if name, ok := strings.CutPrefix(l, "  "); ok {
			l = name
		} else if strings.TrimSpace(l) == "" {
			out = append(out, "")
			continue
		}
		if fi, err := os.Lstat(filepath.Join(p.CurrentDirectory, l)); err == nil && fi.Mode().IsRegular() {
			l += "  " + byteSize(fi.Size())
		}
		mark := "  "
		if selected {
			mark = "▸ "
		}
		l = textwidth.Truncate(mark+l, width-4)
		if selected {
			l = st.Selected.Render(l)
		}
		out = append(out, "  "+l)
	}
	return out
}

// byteSize is a file's size as a person reads it: 73 B, 4.1 KB, 3.2 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
