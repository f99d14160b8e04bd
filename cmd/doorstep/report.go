package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/localstore"
	"github.com/doorstep-survey/doorstep/report"
	"github.com/doorstep-survey/doorstep/report/laptopreport"
)

func newReportCmd(a *app) *cobra.Command {
	var villages []string
	var date, format, out, unit string
	var unmasked bool
	kinds := make([]string, len(report.Kinds))
	for i, k := range report.Kinds {
		kinds[i] = string(k)
	}
	cmd := &cobra.Command{
		Use:   "report " + strings.Join(kinds, "|") + " --out FILE",
		Short: "The validation report, statistics table, progress register, cancellation list or per-enumerator counts",
		Long: `Make a report from the records on this laptop, as XLSX (to print) or CSV (UTF-8 with a
byte-order mark, which Excel on Chinese Windows opens correctly):

  validation     every record with errors, missing items or confirmed warnings (校验报告)
  stats          per village and in total, with the home-visit rate (调查情况统计表, attachment 1)
  register       every case in roster order, for the paper signatures (进度登记表); numbers masked
  cancellations  deaths, empty households, persons not found, for the district (核销名单);
                 the one report with full certificate numbers, and it says so
  allowance      completed cases per enumerator (劳务补贴)

A team leader's report covers their team's villages; --village narrows it further.
It prints the file it wrote.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: kinds,
		RunE: func(cmd *cobra.Command, args []string) error {
			kind := report.Kind(args[0])
			if !slices.Contains(report.Kinds, kind) {
				return &exitError{code: exitUsage, err: fmt.Errorf("report: no report %q: one of %s", args[0], strings.Join(kinds, ", "))}
			}
			if out == "" {
				return &exitError{code: exitUsage, err: fmt.Errorf("report: say where to write it with --out FILE")}
			}
			f := report.Format(strings.ToLower(format))
			if format == "" {
				f = report.Format(strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."))
			}
			if f != report.XLSX && f != report.CSV {
				return &exitError{code: exitUsage, err: fmt.Errorf("report: --format xlsx or csv (or an --out ending in .xlsx or .csv)")}
			}
			asOf := time.Now()
			if date != "" {
				d, err := time.ParseInLocation("2006-01-02", date, time.Local)
				if err != nil {
					return &exitError{code: exitUsage, err: fmt.Errorf("report: --date %q: write it as 2021-10-12", date)}
				}
				asOf = d
			}
			fs, err := resolveForms(a.cfg)
			if err != nil {
				return err
			}
			fs.warn(a.stderr)
			return withSession(a, func(db *localstore.DB, s *localstore.Session) error {
				in, err := laptopreport.Input(fs.reg, s)
				if err != nil {
					return err
				}
				in.AsOf, in.Unmasked = asOf, unmasked
				if unit != "" {
					in.Unit = unit
				}
				if len(villages) > 0 {
					for _, v := range villages {
						if len(in.Villages) > 0 && !slices.Contains(in.Villages, v) {
							return &exitError{code: 1, err: fmt.Errorf("report: %s is not one of your villages", v)}
						}
					}
					in.Villages = villages
				}
				in.TempDir = db.TempDir()
				if err := db.WriteFile(out, func(w *os.File) error { return report.Write(kind, f, in, w) }); err != nil {
					return err
				}
				path, err := filepath.Abs(out)
				if err != nil {
					path = out
				}
				fmt.Fprintf(a.stdout, "wrote %s\n", path)
				if kind == report.Cancellations || kind == report.Register && unmasked {
					fmt.Fprintln(a.stdout, "it holds full certificate numbers, for the district only (含完整证号，只报区县，勿外传)")
				}
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&villages, "village", nil, "only these villages (repeat, or separate with commas)")
	fl.StringVar(&date, "date", "", "as of this day, YYYY-MM-DD (default today): later completions are not counted")
	fl.StringVar(&format, "format", "", "xlsx or csv (default: from --out's extension)")
	fl.StringVar(&out, "out", "", "the file to write")
	fl.StringVar(&unit, "unit", "", "the reporting unit printed on the report (default: the roster's town)")
	fl.BoolVar(&unmasked, "unmasked", false, "print full certificate numbers in the register")
	return cmd
}
