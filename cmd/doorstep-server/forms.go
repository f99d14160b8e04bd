package main

import (
	"fmt"
	"io"

	"github.com/doorstep-survey/doorstep/forms"
	"github.com/doorstep-survey/doorstep/server"
)

// formShelf is the forms the server keeps and sends the laptops, signed with the
// district's key (made in --data on first start): --person-form and --community-form
// for new records, and every file of --forms-dir. The files that did not load are said
// on w.
func (o *opts) formShelf(w io.Writer) (*server.FormShelf, error) {
	reg, skipped, err := forms.LoadRegistry(o.formsDir)
	if err != nil {
		return nil, err
	}
	for _, e := range skipped {
		fmt.Fprintf(w, "form file not loaded (going on without it): %v\n", e)
	}
	person, err := reg.Named(o.personForm)
	if err != nil {
		return nil, fmt.Errorf("--person-form: %w", err)
	}
	community, err := reg.Named(o.communityForm)
	if err != nil {
		return nil, fmt.Errorf("--community-form: %w", err)
	}
	key, err := o.signingKey()
	if err != nil {
		return nil, err
	}
	return server.OpenFormShelf(o.data, o.formsDir, key, person, community)
}
