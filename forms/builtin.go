package forms

import (
	"fmt"
	"sync"

	"github.com/doorstep-survey/doorstep/forms/builtin"
)

// builtinForms loads the embedded forms once; they are immutable, so sharing is safe.
var builtinForms = sync.OnceValues(func() ([]*Form, error) {
	return LoadFS(builtin.Files, ".")
})

// BuiltinForms returns the forms compiled into the program, in file-name order.
func BuiltinForms() ([]*Form, error) {
	return builtinForms()
}

// Builtin returns the built-in form with the id.
func Builtin(id string) (*Form, error) {
	all, err := builtinForms()
	if err != nil {
		return nil, fmt.Errorf("built-in forms: %w", err)
	}
	for _, f := range all {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("no built-in form %q", id)
}
