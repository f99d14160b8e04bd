package office

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/doorstep-survey/doorstep/localstore"
)

// chromium finds Debian's chromium; without it the browser test skips, except in CI or
// with DOORSTEP_E2E=require, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("DOORSTEP_E2E") == "require" {
		t.Fatal("chromium is not installed (apt-get install chromium); the browser test is required here")
	}
	t.Skip("chromium is not installed: the browser test is skipped (apt-get install chromium to run it)")
	return ""
}

// TestBrowser drives the console in a real Chromium at 1280×800: a district officer
// signs in, reads the demo district's progress, opens a record, returns it with a
// comment at a question — the return reaches the laptop through a real sync round —
// and downloads the statistics table, whose cells are read back. Each page is saved as
// a screenshot in DOORSTEP_SCREENSHOTS (or the test's temporary folder).
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	f := newFixture(t, fixtureOpts{cases: 60, completed: 20, approved: 20})
	f.secondLaptop(60, 2) // two persons interviewed twice, for the duplicates page
	shots := os.Getenv("DOORSTEP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.WindowSize(1280, 800),
		chromedp.Flag("ignore-certificate-errors", true), chromedp.NoSandbox, chromedp.Flag("lang", "zh-CN"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel) // closes the browser
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)

	base := f.srv.URL
	// Each page is checked as it is shot: every form control has a label, every image
	// a text, the page one h1 and a language, and nothing is wider than the window.
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			problems, err := chromedp.Evaluate[[]string](a11yCheck)(ctx, tg)
			if err != nil {
				return err
			}
			for _, p := range problems {
				t.Errorf("%s: %s", name, p)
			}
			png, err := chromedp.CaptureScreenshot()(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
		})
	}
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("read #%s: %v", id, err)
		}
		return strings.TrimSpace(v)
	}

	run("open the console", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/office/"), chromedp.WaitVisible(chromedp.ID("user")),
		shot("01-login"))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "/office/login") {
		t.Fatalf("the console opened at %s, not the login page", loc)
	}
	run("sign in", chromedp.SendKeys(chromedp.ID("user"), "qu"), chromedp.SendKeys(chromedp.ID("passphrase"), testPass),
		chromedp.Submit(chromedp.ID("passphrase")), chromedp.WaitVisible(chromedp.ID("total-done")), shot("02-progress"))
	done, roster, notStarted := text("total-done"), text("total-roster"), text("total-notstarted")
	if done != "20" || roster != "60" || notStarted != "40" {
		t.Errorf("progress shows roster %s, done %s, not started %s; want 60, 20, 40", roster, done, notStarted)
	}
	run("a town's villages", chromedp.Click(chromedp.CSS(`tbody th a`)), chromedp.WaitVisible(chromedp.CSS(`.crumbs`)), shot("03-progress-town"))

	r := f.recordIn(t, true, localstore.StatusApproved)
	q := firstAnswered(t, r)
	run("the review list", chromedp.Navigate(base+"/office/review?town="+f.town), chromedp.WaitVisible(chromedp.CSS("table.data")), shot("04-review"))
	run("a record", chromedp.Navigate(base+"/office/review/"+r.ID), chromedp.WaitVisible(chromedp.ID("return")), shot("05-record"))
	run("return it", chromedp.SetValue(chromedp.ID("question"), q), chromedp.SendKeys(chromedp.ID("comment"), "请与受访者核实这一题"),
		chromedp.Click(chromedp.ID("return")), chromedp.WaitVisible(chromedp.CSS(".notice")),
		shot("06-returned"))
	state := text("record-state")
	if state != "已退回" {
		t.Errorf("after the return the record shows %q", state)
	}
	if rep := f.sync(); rep.Pulled != 1 {
		t.Errorf("the laptop's sync round pulled %+v, want the return", rep)
	}
	got, err := f.laptop.Record(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Comments[len(got.Comments)-1]; got.Status != localstore.StatusReturned || c.Question != q || c.Text != "请与受访者核实这一题" {
		t.Errorf("on the laptop: %s, %+v", got.Status, c)
	}

	run("the other pages", chromedp.Navigate(base+"/office/cancellations"), chromedp.WaitVisible(chromedp.CSS("h1")), shot("07-cancellations"),
		chromedp.Navigate(base+"/office/duplicates"), chromedp.WaitVisible(chromedp.CSS("h1")), shot("08-duplicates"),
		chromedp.Navigate(base+"/office/held"), chromedp.WaitVisible(chromedp.ID("held-none")), shot("08-held"),
		chromedp.Navigate(base+"/office/roster"), chromedp.WaitVisible(chromedp.ID("e-user")),
		chromedp.SendKeys(chromedp.ID("e-user"), "E002"), chromedp.SendKeys(chromedp.ID("e-name"), "赵六"),
		chromedp.SendKeys(chromedp.ID("e-villages"), f.district.Villages[0].Name), chromedp.Submit(chromedp.ID("e-villages")),
		chromedp.WaitVisible(chromedp.ID("enrol-code")), shot("09-roster-laptops"),
		chromedp.Navigate(base+"/office/progress?lang=en"), chromedp.WaitVisible(chromedp.ID("total-done")), shot("10-progress-en"),
		chromedp.Navigate(base+"/office/progress?lang=zh"), chromedp.WaitVisible(chromedp.ID("total-done")))

	// The statistics table, downloaded as a person does: a click on the link.
	events := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &events}); err != nil {
		t.Fatal(err)
	}
	progress := chromedp.BrowserEvents(ctx, cdpbrowser.DownloadProgress)
	run("download the statistics table", chromedp.Navigate(base+"/office/reports"), chromedp.WaitVisible(chromedp.ID("dl-stats-xlsx")), shot("11-reports"),
		chromedp.Click(chromedp.ID("dl-stats-xlsx")))
	guid := ""
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the statistics table did not download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	x, err := excelize.OpenFile(filepath.Join(downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	title, _ := x.GetCellValue("Sheet1", "A1")
	rows, _ := x.GetRows("Sheet1")
	var total []string
	for _, row := range rows {
		if len(row) > 2 && row[0] == "合计" {
			total = row
		}
	}
	// Still 20 surveyed: the record returned above was visited, and counts (survey.Surveyed).
	if title != "持证残疾人基本状况调查情况统计表" || len(total) < 3 || total[1] != "60" || total[2] != "20" {
		t.Errorf("the downloaded table: title %q, total row %v", title, total)
	}

	// A phone's width.
	run("a phone", chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/office/progress"), chromedp.WaitVisible(chromedp.ID("total-done")),
		shot("12-progress-360"), chromedp.Navigate(base+"/office/review/"+r.ID), chromedp.WaitVisible(chromedp.CSS("h1")), shot("13-record-360"))
	t.Logf("screenshots in %s", shots)
}

// a11yCheck lists what a screen reader or a keyboard would miss on the page: controls
// without a label, images and SVG charts without a text, a page without one h1 or a
// language, tables without headers, and content wider than the window (only a table's
// own scrolling region may be).
const a11yCheck = `(() => {
	const out = [];
	for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
		const id = el.id;
		if (!(id && document.querySelector('label[for="' + id + '"]')) && !el.getAttribute('aria-label')) {
			out.push('a ' + el.tagName.toLowerCase() + ' named ' + el.name + ' has no label');
		}
	}
	for (const img of document.querySelectorAll('img')) {
		if (!img.getAttribute('alt')) out.push('an image without alt');
	}
	for (const svg of document.querySelectorAll('svg')) {
		if (!svg.getAttribute('aria-label') && !svg.getAttribute('aria-labelledby')) out.push('an svg without a text');
	}
	if (document.querySelectorAll('h1').length !== 1) out.push(document.querySelectorAll('h1').length + ' h1 headings');
	if (!document.documentElement.lang) out.push('no language on the page');
	for (const t of document.querySelectorAll('table')) {
		if (!t.querySelector('th')) out.push('a table without headers');
	}
	for (const b of document.querySelectorAll('button, a')) {
		if (!b.textContent.trim() && !b.getAttribute('aria-label')) out.push('a ' + b.tagName.toLowerCase() + ' without a text');
	}
	if (document.documentElement.scrollWidth > window.innerWidth + 1) {
		out.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
	}
	return out;
})()`
