package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/doorstep-survey/doorstep/localstore"
)

func newCasesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "cases", Short: "The roster cases on this laptop"}
	cmd.AddCommand(newCasesListCmd(a))
	return cmd
}

// caseJSON is one case as `cases list --json` prints it.
type caseJSON struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Sex               int    `json:"sex"`
	CertificateNumber string `json:"certificate_number"`
	IDNumber          string `json:"id_number"`
	Town              string `json:"town"`
	Village           string `json:"village"`
	Category          int    `json:"category"`
	Level             int    `json:"level"`
	Status            string `json:"status"`
	Outcome           int    `json:"outcome,omitempty"`
	Phone             string `json:"phone,omitempty"`
}

// statusNames are the statuses in the words the teams use.
var statusNames = map[localstore.Status]string{
	"":                         "未开始",
	localstore.StatusDraft:     "填写中",
	localstore.StatusReadBack:  "已宣读",
	localstore.StatusSigned:    "已签字",
	localstore.StatusCompleted: "已完成",
	localstore.StatusSubmitted: "已上报",
	localstore.StatusApproved:  "已审核",
	localstore.StatusReturned:  "已退回",
}

func newCasesListCmd(a *app) *cobra.Command {
	var village, status string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--village V] [--status S] [--json]",
		Short: "List cases in roster order",
		Long: `List cases in roster order. --status is one of new, draft, read_back, signed,
completed, submitted, approved, returned. With --json, one array of objects.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st := localstore.Status(status)
			if _, ok := statusNames[st]; !ok && st != localstore.StatusNew {
				return &exitError{code: exitUsage, err: fmt.Errorf("--status %q: one of new, draft, read_back, signed, completed, submitted, approved, returned", status)}
			}
			return withSession(a, func(_ *localstore.DB, s *localstore.Session) error {
				cases, err := s.Cases(localstore.CaseFilter{Village: village, Status: st})
				if err != nil {
					return err
				}
				if asJSON {
					out := make([]caseJSON, len(cases))
					for i, c := range cases {
						r := c.Row
						out[i] = caseJSON{c.ID, r.Name, r.Sex, r.CertificateNumber, r.IDNumber, r.Town, r.Village, r.Category, r.Level, string(c.Status), c.Outcome, r.Phone}
						if out[i].Status == "" {
							out[i].Status = string(localstore.StatusNew)
						}
					}
					enc := json.NewEncoder(a.stdout)
					enc.SetIndent("", "  ")
					enc.SetEscapeHTML(false)
					return enc.Encode(out)
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "#\t姓名\t残疾人证号\t村（社区）\t状态")
				for _, c := range cases {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.Seq, c.Row.Name, maskNumber(c.Row.Key()), c.Row.Village, statusNames[c.Status])
				}
				fmt.Fprintf(tw, "\t%d 人\n", len(cases))
				return tw.Flush()
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&village, "village", "", "only this village (社区)")
	f.StringVar(&status, "status", "", "only cases with this status")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// maskNumber hides the birth date and sequence of an ID or certificate number on screens
// and paper that others may see: 410102********123442.
func maskNumber(n string) string {
	if len(n) < 14 {
		return n
	}
	return n[:6] + "********" + n[14:]
}
