package forms

import (
	"fmt"
	"strings"
)

// LoadError is one problem found while loading a form file: where it is and what is wrong,
// in words a district officer editing the YAML can act on.
type LoadError struct {
	File string
	Line int    // 0 when the problem has no single line
	Item string // "question R3", "check C2", "option 4 of R7", or "" for the form itself
	Msg  string
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Item != "" {
		b.WriteString(e.Item)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// LoadErrors is every problem of one file, so a file is fixed in one pass, not one error
// per run.
type LoadErrors []*LoadError

func (es LoadErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
