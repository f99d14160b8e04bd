// Package builtin holds the official form definitions compiled into the program. It only
// embeds files; package forms loads and checks them.
package builtin

import "embed"

// Files are the built-in form definitions, one YAML file per form.
//
//go:embed *.yaml
var Files embed.FS
